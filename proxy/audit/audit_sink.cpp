// The sink for a configured audit path. Layer: proxy (I/O edge).
#include "proxy/audit/audit_sink.hpp"

#include "proxy/audit/file_sink.hpp"
#include "proxy/audit/stdout_sink.hpp"

namespace meshgate::proxy {

std::unique_ptr<AuditSink> make_audit_sink(const std::string& path)
{
    if (path == "-") {
        return std::make_unique<StdoutSink>();
    }
    return std::make_unique<FileSink>(path);
}

}  // namespace meshgate::proxy
