// FileSink: the audit log as a file opened for appending, reopened by name for log rotation.
// Layer: proxy (I/O edge).
#pragma once

#include "proxy/audit/audit_sink.hpp"

#include <string>

namespace meshgate::proxy {

/// Appends to `path` (created with mode 0640 when missing). `open()` reads back the file's last
/// line (at most the last 4 MiB) so the writer can continue its hash chain. A failed write of a
/// regular file is cut back to the size before it, so a retry never leaves half a line behind.
/// FIFOs and character devices work too (no tail, no cut-back, no fsync).
class FileSink final : public AuditSink {
public:
    explicit FileSink(std::string path);
    ~FileSink() override;
    FileSink(const FileSink&) = delete;
    FileSink& operator=(const FileSink&) = delete;

    Result<SinkTail> open() override;
    Result<void> write(std::string_view bytes) override;
    Result<void> sync() override;
    bool rotatable() const override { return true; }
    std::string name() const override { return path_; }

private:
    std::string path_;
    int fd_ = -1;
    bool regular_ = false;
};

}  // namespace meshgate::proxy
