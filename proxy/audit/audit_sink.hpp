// AuditSink: where audit lines go (a file, stdout, or a test double). Layer: proxy (I/O edge).
#pragma once

#include "common/error.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace meshgate::proxy {

/// What an opened destination already holds at its end, so the writer can continue its chain.
struct SinkTail {
    /// Nothing there yet (a new or rotated file), or a destination that cannot be read (stdout).
    bool empty = true;
    /// The last line without its '\n'; when `terminated` is false, the bytes after the last '\n'.
    std::string last_line;
    /// The destination ends with '\n'.
    bool terminated = true;
};

/// A destination for audit lines. Used by the audit writer's thread only (one caller at a time).
/// Every failure is a value: the writer turns it into "audit unavailable", never an exception.
class AuditSink {
public:
    virtual ~AuditSink() = default;

    /// Opens the destination, or opens it again by name (log rotation: the old file may have been
    /// renamed away). On failure, the previously open destination, if any, stays in use.
    virtual Result<SinkTail> open() = 0;
    /// Appends all of `bytes`, or fails. After a failure the destination holds none of `bytes`
    /// where that can be ensured (a regular file is cut back to its previous size).
    virtual Result<void> write(std::string_view bytes) = 0;
    /// Makes what was written durable (fdatasync); succeeds at once where that means nothing.
    virtual Result<void> sync() = 0;
    /// False when reopening makes no sense (stdout): SIGHUP/SIGUSR1 then do nothing.
    virtual bool rotatable() const = 0;
    /// For messages: the path, or "stdout".
    virtual std::string name() const = 0;
};

/// The sink for `audit.path`: "-" is stdout, anything else a file opened for appending.
std::unique_ptr<AuditSink> make_audit_sink(const std::string& path);

}  // namespace meshgate::proxy
