# meshgate container: built from Debian packages with the same install script the tests use
# (deploy/install-deps.sh), run as a non-root user. Mount the config (meshgate.yaml, domains/, TLS
# files) at /etc/meshgate and pass secrets as environment variables (MESHGATE_HASH_KEY, backend
# passwords). In a container set `admin.host: 0.0.0.0` and `audit.path: "-"` (stdout).
#   docker build -t meshgate .
#   docker run -p 6432:6432 -p 9187:9187 -v $PWD/conf:/etc/meshgate:ro -e MESHGATE_HASH_KEY=... meshgate

FROM debian:bookworm AS build
COPY deploy/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --build && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMESHGATE_TESTS=OFF \
 && cmake --build build --target meshgate \
 && strip build/meshgate \
 && build/meshgate --version

FROM debian:bookworm-slim AS runtime
COPY deploy/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --runtime \
 && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
 && groupadd --system meshgate \
 && useradd --system --gid meshgate --home-dir /var/lib/meshgate --create-home --shell /usr/sbin/nologin meshgate \
 && mkdir -p /etc/meshgate
COPY --from=build /src/build/meshgate /usr/local/bin/meshgate
USER meshgate:meshgate
WORKDIR /var/lib/meshgate
EXPOSE 6432 9187
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/meshgate", "serve", "--config", "/etc/meshgate/meshgate.yaml"]
