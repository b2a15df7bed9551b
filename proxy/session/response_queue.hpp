// ResponseQueue: the responses a client is owed, in order, for the messages of an extended-protocol
// batch (or a simple Query): some come from the backend, some meshgate makes itself.
// Layer: proxy (pure; unit-tested in tests/unit/proxy/core/response_queue_test.cpp).
#pragma once

#include <deque>
#include <functional>
#include <string>

namespace meshgate::proxy {

/// Which client message an entry answers; it decides which backend message completes it.
enum class Awaited {
    Parse,     // '1' ParseComplete
    Bind,      // '2' BindComplete
    Close,     // '3' CloseComplete
    Describe,  // 'T' RowDescription or 'n' NoData (a statement's 't' comes first)
    Execute,   // 'C' CommandComplete, 'I' EmptyQueryResponse or 's' PortalSuspended
    Sync,      // 'Z' ReadyForQuery
    Query,     // 'Z' ReadyForQuery (simple protocol: anything may come before it)
};

/// PostgreSQL answers the messages of a batch in order and, after an error, skips everything up
/// to Sync. meshgate reproduces that when it answers some messages itself (a refused Parse, a
/// SET search_path): each local answer waits for the backend answers before it, and is
/// dropped when the backend failed earlier in the same batch, exactly as the backend would have
/// skipped it.
class ResponseQueue {
public:
    /// What a backend message did to the queue.
    enum class Outcome {
        Pass,       // part of the current answer (DataRow, notice, ...): forward it
        Completed,  // completed the front entry: forward it
        Failed,     // ErrorResponse: forward it; entries up to the next Sync/Query were dropped
        Ready,      // ReadyForQuery completed a Sync/Query: forward it
        Unexpected, // a completion nothing waits for: the backend is out of step, close
        Hidden,     // completed a hidden entry: do not forward it
    };

    /// The backend owes an answer to a forwarded message. `note` travels with the entry (the
    /// statement an Execute runs, for front_note()); `done` runs when the backend completes it
    /// (never when an error drops it).
    void expect(Awaited what, std::string note = {}, std::function<void()> done = {});

    /// The backend owes an answer to a message meshgate sent on its own (a Parse that
    /// re-prepares a statement on another pooled connection; Parse/Bind/Execute/Close of a
    /// DEALLOCATE that makes room for the client's PREPARE): its completion is not forwarded;
    /// an ErrorResponse still is (and drops what follows, as any error does). Not for Describe,
    /// Sync or Query, and a hidden Execute must run a statement that returns no rows.
    void hidden(Awaited what, std::function<void()> done = {});

    /// True when the front entry is a hidden one.
    bool front_hidden() const { return !items_.empty() && items_.front().hidden; }

    /// True when the front entry waits for the backend's answer to a client's `what`
    /// (forwarded, not hidden).
    bool front_awaits(Awaited what) const
    {
        return !items_.empty() && !items_.front().local && !items_.front().hidden &&
               items_.front().what == what;
    }

    /// How many entries wait for the backend's answer to a client's `what`.
    std::size_t count_awaiting(Awaited what) const;

    /// The note of the front entry ("" when none).
    const std::string& front_note() const;

    /// meshgate answers this message itself: `write` appends the answer when its turn comes
    /// (it is never called if an earlier backend error drops it, so it may also apply the
    /// effect of a local statement, such as SET search_path).
    void local(Awaited what, std::function<void(std::string&)> write);

    bool empty() const { return items_.empty(); }
    /// True when the front entry waits for a backend message.
    bool awaiting_backend() const { return !items_.empty() && !items_.front().local; }
    /// True when some entry answers a Sync or Query (the batch is closed).
    bool has_sync() const;

    /// Appends the answers of the local entries at the front, up to the first backend entry.
    void emit_local(std::string& out);

    /// Accounts for one backend message by its tag. Call only while awaiting_backend().
    Outcome on_backend(char tag);

    std::size_t size() const { return items_.size(); }

private:
    struct Item {
        Awaited what;
        bool local = false;
        bool described_statement = false;  // Describe: 't' seen
        bool hidden = false;
        std::function<void(std::string&)> write;
        std::string note;
        std::function<void()> done;
    };
    std::deque<Item> items_;
};

}  // namespace meshgate::proxy
