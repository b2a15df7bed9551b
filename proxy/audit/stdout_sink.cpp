// StdoutSink: whole-buffer writes to fd 1. Layer: proxy (I/O edge).
#include "proxy/audit/stdout_sink.hpp"

#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace meshgate::proxy {

Result<void> StdoutSink::write(std::string_view bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return Error("58030", std::string("cannot write audit log to stdout: ") +
                                      std::strerror(n < 0 ? errno : EIO));
        }
        done += std::size_t(n);
    }
    return {};
}

}  // namespace meshgate::proxy
