# meshgate container image. Built from Debian 12 packages with the same install script CI uses
# (deploy/install-deps.sh: --build in the build stage, --runtime in the runtime stage); the runtime
# image holds the binary, its shared libraries and two bash helpers, and runs as uid 10001.
#
#   docker build -t meshgate .
#   docker run --rm -p 6432:6432 -p 9187:9187 \
#       -v "$PWD/conf:/etc/meshgate:ro" \
#       -e MESHGATE_HASH_KEY=... -e WAREHOUSE_PG_PASSWORD=... meshgate
#
# /etc/meshgate (a volume) holds meshgate.yaml, domains/*.yaml and any TLS files; secrets come
# from the environment (`*_env`) or mounted files (`*_file`). In a container the config should say
# `admin.host: 0.0.0.0` (so Prometheus can scrape and probes reach it) and leave `audit.path` at its
# default "-": the audit log goes to stdout for the log collector, the daemon's own log to stderr.
# `docker kill -s HUP` reloads; `docker stop` sends SIGTERM and drains (give it --time longer than
# the drain deadline). See docs/operations.md.

ARG DEBIAN_IMAGE=debian:bookworm
ARG DEBIAN_RUNTIME_IMAGE=debian:bookworm-slim

FROM ${DEBIAN_IMAGE} AS build
COPY deploy/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --build && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMESHGATE_TESTS=OFF \
 && cmake --build build --target meshgate \
 && strip build/meshgate \
 && build/meshgate --version

FROM ${DEBIAN_RUNTIME_IMAGE} AS runtime
COPY deploy/install-deps.sh /tmp/install-deps.sh
# A fixed numeric uid/gid: Kubernetes' runAsNonRoot can only verify a numeric USER, and the
# reload sidecar must run as the same uid to signal meshgate.
RUN bash /tmp/install-deps.sh --runtime \
 && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
 && groupadd --system --gid 10001 meshgate \
 && useradd --system --uid 10001 --gid meshgate --home-dir /var/lib/meshgate --create-home \
        --shell /usr/sbin/nologin meshgate \
 && mkdir -p /etc/meshgate/domains \
 && chown -R root:meshgate /etc/meshgate && chmod -R 0750 /etc/meshgate
COPY --from=build /src/build/meshgate /usr/local/bin/meshgate
COPY deploy/container/healthcheck.sh /usr/local/bin/meshgate-healthcheck
COPY deploy/container/reload-on-change.sh /usr/local/bin/meshgate-reload-on-change
RUN chmod 0755 /usr/local/bin/meshgate-healthcheck /usr/local/bin/meshgate-reload-on-change \
 && /usr/local/bin/meshgate --version
USER 10001:10001
WORKDIR /var/lib/meshgate
VOLUME ["/etc/meshgate"]
# listen.port, admin.port (the defaults; change both here and in meshgate.yaml together)
EXPOSE 6432 9187
ENV MESHGATE_ADMIN_HOST=127.0.0.1 MESHGATE_ADMIN_PORT=9187
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/meshgate-healthcheck", "/healthz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/meshgate"]
CMD ["serve", "--config", "/etc/meshgate/meshgate.yaml"]
