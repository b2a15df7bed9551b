// StdoutSink: audit lines to standard output for container log collectors (`audit.path: "-"`).
// Layer: proxy (I/O edge).
#pragma once

#include "proxy/audit/audit_sink.hpp"

namespace meshgate::proxy {

/// Writes to file descriptor 1. Has no tail (each process starts a new chain, announced by an
/// `audit` event), is not rotatable, and does not fsync. The process must ignore SIGPIPE, or a
/// collector that goes away kills it instead of making the log unavailable.
class StdoutSink final : public AuditSink {
public:
    explicit StdoutSink(int fd = 1) : fd_(fd) {}

    Result<SinkTail> open() override { return SinkTail{}; }
    Result<void> write(std::string_view bytes) override;
    Result<void> sync() override { return {}; }
    bool rotatable() const override { return false; }
    std::string name() const override { return "stdout"; }

private:
    int fd_;
};

}  // namespace meshgate::proxy
