// AuditWriter: bounded queue, writer thread, batching, chain resume, failure and recovery.
// Layer: proxy (I/O edge).
#include "proxy/audit/audit_writer.hpp"

#include "policy/audit/timestamp.hpp"
#include "proxy/log.hpp"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace meshgate::proxy {

AuditSlot& AuditSlot::operator=(AuditSlot&& other) noexcept
{
    if (this != &other) {
        if (writer_ != nullptr) {
            writer_->release_slot();
        }
        writer_ = std::exchange(other.writer_, nullptr);
    }
    return *this;
}

AuditSlot::~AuditSlot()
{
    if (writer_ != nullptr) {
        writer_->release_slot();
    }
}

void AuditSlot::commit(audit::AuditEvent event)
{
    MESHGATE_ASSERT(writer_ != nullptr);
    std::exchange(writer_, nullptr)->commit_slot(std::move(event));
}

AuditWriter::AuditWriter(std::unique_ptr<AuditSink> sink, const WallClock& clock, Options options)
    : sink_(std::move(sink)), clock_(clock), options_(std::move(options))
{
    MESHGATE_ASSERT(sink_ != nullptr);
    MESHGATE_ASSERT(options_.max_queue > 0 && options_.max_batch > 0);
}

AuditWriter::~AuditWriter() { stop(); }

void AuditWriter::stamp(audit::AuditEvent& event) const
{
    if (event.ts.empty()) {
        event.ts = audit::format_timestamp(clock_.now());
    }
}

Result<void> AuditWriter::write_lines(const std::string& bytes)
{
    auto w = sink_->write(bytes);
    if (!w) {
        return w;
    }
    if (options_.sync_each_batch) {
        return sink_->sync();
    }
    return {};
}

Result<void> AuditWriter::open_sink(bool reopening, bool& switched)
{
    switched = false;
    auto tail = sink_->open();
    if (!tail) {
        return tail.error();
    }
    switched = true;
    const bool have_state = chain_.seq > 0;
    std::optional<audit::AuditEvent> marker;
    auto make_marker = [&](std::string reason, bool file_start) {
        audit::AuditEvent m;
        m.kind = audit::EventKind::Audit;
        m.reason = std::move(reason);
        m.file_start = file_start;
        stamp(m);
        marker = std::move(m);
    };
    std::string prefix;
    audit::ChainState next = chain_;
    if (tail->empty) {
        if (have_state) {
            // Rotation: the chain goes on in the new file; file_start lets `audit verify` accept
            // a first line that is not seq 1.
            make_marker("audit log reopened on a new file " + sink_->name() +
                            "; the chain continues from seq " + std::to_string(chain_.seq),
                        true);
        } else {
            next = audit::ChainState{};
            make_marker("audit log started on " + sink_->name() + ": new chain", false);
        }
    } else {
        const auto resume = audit::resume_point(tail->last_line, tail->terminated);
        if (resume.ok) {
            if (have_state && resume.state.seq == chain_.seq && resume.state.hash == chain_.hash) {
                // Same file, or a retry after a cut-back write: nothing to announce.
            } else if (have_state) {
                next = resume.state;
                make_marker("audit log " + sink_->name() + " reopened; it ends at seq " +
                                std::to_string(resume.state.seq) +
                                ", not where this process left off (seq " +
                                std::to_string(chain_.seq) + "): continuing the file's chain",
                            false);
            } else {
                next = resume.state;
                make_marker("audit log opened on " + sink_->name() +
                                "; the chain continues from seq " +
                                std::to_string(resume.state.seq),
                            false);
            }
        } else {
            // Never repair silently: the broken line stays (verify reports it) and a new chain
            // starts after it. A cut line gets its newline so the marker is a line of its own.
            if (!tail->terminated) {
                prefix = "\n";
            }
            next = audit::ChainState{};
            make_marker("new chain: the audit log " + sink_->name() +
                            " did not end in an intact line (" + resume.reason + ")",
                        false);
        }
    }
    if (marker) {
        std::string bytes =
            prefix + audit::seal_line(next, audit::encode_event(*marker, options_.limits));
        auto w = write_lines(bytes);
        if (!w) {
            return w;
        }
        lines_written_.fetch_add(1, std::memory_order_relaxed);
        log_info(reopening ? "audit log reopened" : "audit log opened",
                 {{"path", sink_->name()}, {"note", marker->reason}});
    }
    chain_ = std::move(next);
    return {};
}

Result<void> AuditWriter::start(bool keep_running_on_error)
{
    {
        std::lock_guard lock(mutex_);
        MESHGATE_ASSERT(!running_ && !stopping_);
    }
    bool switched = false;
    auto opened = open_sink(false, switched);
    if (!opened) {
        write_failures_.fetch_add(1, std::memory_order_relaxed);
        set_unhealthy(opened.error().message);
        if (keep_running_on_error) {
            {
                std::lock_guard lock(mutex_);
                running_ = true;
            }
            thread_ = std::thread([this] { run(); });
        }
        return opened;
    }
    {
        std::lock_guard lock(mutex_);
        running_ = true;
        problem_.clear();
    }
    healthy_.store(true, std::memory_order_release);
    thread_ = std::thread([this] { run(); });
    return {};
}

void AuditWriter::set_unhealthy(std::string problem)
{
    std::lock_guard lock(mutex_);
    problem_ = std::move(problem);
    healthy_.store(false, std::memory_order_release);
}

bool AuditWriter::admit_locked(bool reserve_slot)
{
    const std::size_t depth = queue_.size() + in_flight_ + reserved_;
    if (!running_ || stopping_ || !healthy_.load(std::memory_order_acquire) ||
        depth >= options_.max_queue) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    if (reserve_slot) {
        ++reserved_;
    }
    return true;
}

bool AuditWriter::submit(audit::AuditEvent event)
{
    stamp(event);
    {
        std::lock_guard lock(mutex_);
        if (!admit_locked(false)) {
            return false;
        }
        queue_.push_back(std::move(event));
        ++enqueued_total_;
    }
    wake_.notify_one();
    return true;
}

std::optional<AuditSlot> AuditWriter::reserve()
{
    std::lock_guard lock(mutex_);
    if (!admit_locked(true)) {
        return std::nullopt;
    }
    return AuditSlot(this);
}

void AuditWriter::release_slot()
{
    std::lock_guard lock(mutex_);
    MESHGATE_ASSERT(reserved_ > 0);
    --reserved_;
}

void AuditWriter::commit_slot(audit::AuditEvent event)
{
    stamp(event);
    {
        std::lock_guard lock(mutex_);
        MESHGATE_ASSERT(reserved_ > 0);
        --reserved_;
        // Queued even when unhealthy or stopping: the statement already ran, so its event must
        // not be dropped here; the thread retries until it is written or the process ends.
        if (!running_) {
            // Only after stop(): a session outlived the writer (a shutdown-order bug).
            log_error("audit event after the audit writer stopped: lost",
                      {{"event", audit::event_kind_name(event.kind)}, {"session", event.session}});
            return;
        }
        queue_.push_back(std::move(event));
        ++enqueued_total_;
    }
    wake_.notify_one();
}

void AuditWriter::reopen()
{
    if (!sink_->rotatable()) {
        return;
    }
    {
        std::lock_guard lock(mutex_);
        reopen_requested_ = true;
    }
    wake_.notify_one();
}

bool AuditWriter::flush(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    const uint64_t target = enqueued_total_;
    drained_.wait_for(lock, timeout, [&] {
        // While unhealthy, wait only for an attempt already under way (its outcome decides).
        return done_total_ >= target ||
               (!healthy_.load(std::memory_order_acquire) && in_flight_ == 0) || !running_;
    });
    return done_total_ >= target;
}

void AuditWriter::stop()
{
    {
        std::lock_guard lock(mutex_);
        if (!running_) {
            return;
        }
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) {
        thread_.join();
    }
    std::lock_guard lock(mutex_);
    running_ = false;
    if (!queue_.empty()) {
        log_error("audit events lost at shutdown: the log could not be written",
                  {{"events", queue_.size()}, {"problem", problem_}});
    }
    drained_.notify_all();
}

std::string AuditWriter::problem() const
{
    std::lock_guard lock(mutex_);
    return problem_;
}

Error AuditWriter::unavailable_error() const
{
    std::lock_guard lock(mutex_);
    std::string why;
    if (!running_ || stopping_) {
        why = "the audit writer is not running";
    } else if (!healthy_.load(std::memory_order_acquire)) {
        why = problem_;
    } else {
        why = "the audit queue is full";
    }
    return Error("58030", "audit log unavailable: " + why, 0, {},
                 "meshgate refuses statements it cannot audit; see the server log");
}

AuditWriterStats AuditWriter::stats() const
{
    AuditWriterStats s;
    s.lines_written = lines_written_.load(std::memory_order_relaxed);
    s.write_failures = write_failures_.load(std::memory_order_relaxed);
    s.refused = refused_.load(std::memory_order_relaxed);
    s.healthy = healthy_.load(std::memory_order_acquire);
    std::lock_guard lock(mutex_);
    s.queue_depth = queue_.size() + in_flight_ + reserved_;
    return s;
}

void AuditWriter::run()
{
    std::unique_lock lock(mutex_);
    while (true) {
        if (!healthy_.load(std::memory_order_acquire) && !stopping_) {
            // Unhealthy: retry after the interval, or at once on reopen/stop.
            wake_.wait_for(lock, options_.retry_interval,
                           [&] { return stopping_ || reopen_requested_; });
        } else {
            wake_.wait(lock, [&] { return stopping_ || reopen_requested_ || !queue_.empty(); });
        }
        if (stopping_ && queue_.empty()) {
            break;
        }
        const bool reopen = std::exchange(reopen_requested_, false);
        const bool was_healthy = healthy_.load(std::memory_order_acquire);
        std::vector<audit::AuditEvent> batch;
        const std::size_t n = std::min(queue_.size(), options_.max_batch);
        batch.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        in_flight_ = n;
        lock.unlock();

        Result<void> result;
        if (reopen || (!was_healthy && sink_->rotatable())) {
            bool switched = false;
            auto opened = open_sink(reopen && was_healthy, switched);
            if (!opened) {
                if (was_healthy && !switched) {
                    // The file already open still works (rotation just renamed it): keep
                    // auditing into it rather than refusing every statement.
                    write_failures_.fetch_add(1, std::memory_order_relaxed);
                    log_error("cannot reopen the audit log; still writing to the file already open",
                              {{"error", opened.error().message}});
                } else {
                    result = opened.error();
                }
            }
        }
        if (result && !batch.empty()) {
            audit::ChainState next = chain_;
            std::string bytes;
            for (const auto& e : batch) {
                bytes += audit::seal_line(next, audit::encode_event(e, options_.limits));
            }
            result = write_lines(bytes);
            if (result) {
                chain_ = std::move(next);
                lines_written_.fetch_add(batch.size(), std::memory_order_relaxed);
            }
        }

        lock.lock();
        in_flight_ = 0;
        if (result) {
            done_total_ += n;
            if (!healthy_.load(std::memory_order_acquire)) {
                problem_.clear();
                healthy_.store(true, std::memory_order_release);
                log_info("audit log writable again", {{"path", sink_->name()}});
            }
        } else {
            write_failures_.fetch_add(1, std::memory_order_relaxed);
            // Keep the events, in order, for the retry.
            queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                          std::make_move_iterator(batch.end()));
            if (healthy_.load(std::memory_order_acquire)) {
                log_error("audit log unavailable: refusing new statements",
                          {{"path", sink_->name()}, {"error", result.error().message}});
            }
            problem_ = result.error().message;
            healthy_.store(false, std::memory_order_release);
        }
        drained_.notify_all();
        if (!result && stopping_) {
            break;  // one attempt at shutdown; stop() reports what is lost
        }
    }
}

}  // namespace meshgate::proxy
