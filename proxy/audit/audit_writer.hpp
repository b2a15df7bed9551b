// AuditWriter: the audit log's dedicated writer thread behind a bounded queue (SPEC §6). Sessions
// hand it events and never wait for the disk; when the log cannot be written, it refuses new
// events so callers refuse statements instead of running them unaudited. Layer: proxy (I/O edge).
#pragma once

#include "common/error.hpp"
#include "policy/audit/audit_event.hpp"
#include "policy/audit/hash_chain.hpp"
#include "proxy/audit/audit_sink.hpp"
#include "proxy/audit/wall_clock.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace meshgate::proxy {

class AuditWriter;

/// A place in the writer's queue, held while a statement runs so that its event can always be
/// queued afterwards (the statement was only started because the place was free). Move-only;
/// dropping it without `commit` gives the place back.
class AuditSlot {
public:
    AuditSlot(AuditSlot&& other) noexcept : writer_(std::exchange(other.writer_, nullptr)) {}
    AuditSlot& operator=(AuditSlot&& other) noexcept;
    AuditSlot(const AuditSlot&) = delete;
    AuditSlot& operator=(const AuditSlot&) = delete;
    ~AuditSlot();

    /// Queues `event` in this place (stamping `ts` if empty). Never refused; the slot is spent.
    void commit(audit::AuditEvent event);

private:
    friend class AuditWriter;
    explicit AuditSlot(AuditWriter* writer) : writer_(writer) {}
    AuditWriter* writer_;
};

/// Counters for metrics and /readyz; a consistent-enough snapshot (each field is atomic).
struct AuditWriterStats {
    uint64_t lines_written = 0;   // lines (events and markers) written and synced
    uint64_t write_failures = 0;  // failed open/write/sync attempts
    uint64_t refused = 0;         // submit()/reserve() calls refused (queue full or unhealthy)
    uint64_t queue_depth = 0;     // queued + being written + reserved
    bool healthy = false;
};

/// Owns the sink and one thread. Thread-safe: every public member may be called from any thread.
///
/// Lines are written in batches: the thread takes up to `max_batch` queued events, seals them
/// into the hash chain, writes them with one write() and one fdatasync(). When a write fails the
/// batch stays queued, the writer turns unhealthy (new events are refused) and it retries every
/// `retry_interval` (or at once on `reopen()`), reopening the sink and resuming the chain from the
/// file's last line; the first successful write makes it healthy again.
class AuditWriter {
public:
    struct Options {
        std::size_t max_queue = 10000;  // events queued + being written + reserved slots
        std::size_t max_batch = 512;
        bool sync_each_batch = true;  // fdatasync after every batch (files only)
        std::chrono::milliseconds retry_interval{1000};
        audit::EncodeLimits limits;
    };

    AuditWriter(std::unique_ptr<AuditSink> sink, const WallClock& clock, Options options);
    AuditWriter(std::unique_ptr<AuditSink> sink, const WallClock& clock)
        : AuditWriter(std::move(sink), clock, Options{})
    {
    }
    /// Stops the thread after draining what it can (see `stop`).
    ~AuditWriter();
    AuditWriter(const AuditWriter&) = delete;
    AuditWriter& operator=(const AuditWriter&) = delete;

    /// Opens the sink, resumes or starts the chain, writes the `audit` marker event that says
    /// which, and starts the thread. Call once. On an error (cannot open or write the log) the
    /// writer does not run, unless `keep_running_on_error`: then the thread starts unhealthy
    /// (every event and statement is refused, /readyz says why) and retries every
    /// `retry_interval` until the log can be written; the error is still returned.
    Result<void> start(bool keep_running_on_error = false);

    /// Queues `event` (stamping `ts` from the clock if empty). False when the writer is not
    /// running, is unhealthy, or the queue is full: the caller then refuses the statement with
    /// `unavailable_error()`.
    bool submit(audit::AuditEvent event);
    /// A queue place for an event to be committed later (e.g. a statement's, after it ran), or
    /// nullopt in the same cases `submit` returns false.
    std::optional<AuditSlot> reserve();

    /// Asks the thread to reopen the log by name (SIGHUP / SIGUSR1 after rotation). Returns at
    /// once. A reopen that fails keeps writing to the file already open and counts a failure.
    void reopen();

    /// Waits until everything queued before the call is written (true), the writer is unhealthy
    /// with no write attempt under way, or `timeout` passes (false in both cases). For shutdown
    /// and tests.
    bool flush(std::chrono::milliseconds timeout);

    /// Refuses new events, writes what is queued (one attempt if the sink fails), joins the
    /// thread. Idempotent.
    void stop();

    /// True while the log is being written: the `audit writable` part of /readyz.
    bool healthy() const { return healthy_.load(std::memory_order_acquire); }
    /// Why the writer is unhealthy ("" when healthy).
    std::string problem() const;
    /// SQLSTATE 58030 "audit log unavailable: <problem>", for refusing a statement.
    Error unavailable_error() const;
    AuditWriterStats stats() const;

private:
    friend class AuditSlot;

    bool admit_locked(bool reserve_slot);
    void release_slot();
    void commit_slot(audit::AuditEvent event);
    void stamp(audit::AuditEvent& event) const;
    void run();
    /// Opens the sink and writes the marker; on the writer thread (or in start()). `switched`
    /// tells whether the sink now points at the newly opened destination (true even when the
    /// marker write then failed).
    Result<void> open_sink(bool reopening, bool& switched);
    Result<void> write_lines(const std::string& bytes);
    void set_unhealthy(std::string problem);

    std::unique_ptr<AuditSink> sink_;
    const WallClock& clock_;
    Options options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;     // the writer thread waits here
    std::condition_variable drained_;  // flush() waits here
    std::deque<audit::AuditEvent> queue_;
    std::size_t in_flight_ = 0;  // taken by the thread, not yet written
    std::size_t reserved_ = 0;
    uint64_t enqueued_total_ = 0;  // events ever queued
    uint64_t done_total_ = 0;      // events ever written
    bool running_ = false;
    bool stopping_ = false;
    bool reopen_requested_ = false;
    std::string problem_;
    std::thread thread_;

    // Only the writer thread (or start(), before the thread exists) touches the chain.
    audit::ChainState chain_;

    std::atomic<bool> healthy_{false};
    std::atomic<uint64_t> lines_written_{0};
    std::atomic<uint64_t> write_failures_{0};
    std::atomic<uint64_t> refused_{0};
};

}  // namespace meshgate::proxy
