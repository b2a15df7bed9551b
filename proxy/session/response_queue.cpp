// ResponseQueue: ordering meshgate's own answers among the backend's in an extended batch.
// Layer: proxy (pure).
#include "proxy/session/response_queue.hpp"

#include "common/error.hpp"

#include <algorithm>

namespace meshgate::proxy {
namespace {

bool ends_batch(Awaited a)
{
    return a == Awaited::Sync || a == Awaited::Query;
}

// Tags that complete some extended-protocol message; one arriving while the front entry
// expects another means the backend and meshgate disagree about the conversation.
bool is_completion(char tag)
{
    switch (tag) {
    case '1':
    case '2':
    case '3':
    case 'T':
    case 'n':
    case 'C':
    case 'I':
    case 's':
    case 'Z':
        return true;
    default:
        return false;
    }
}

bool completes(Awaited what, char tag)
{
    switch (what) {
    case Awaited::Parse:
        return tag == '1';
    case Awaited::Bind:
        return tag == '2';
    case Awaited::Close:
        return tag == '3';
    case Awaited::Describe:
        return tag == 'T' || tag == 'n';
    case Awaited::Execute:
        return tag == 'C' || tag == 'I' || tag == 's';
    case Awaited::Sync:
    case Awaited::Query:
        return tag == 'Z';
    }
    return false;
}

}  // namespace

void ResponseQueue::expect(Awaited what, std::string note, std::function<void()> done)
{
    items_.push_back(Item{what, false, false, false, {}, std::move(note), std::move(done)});
}

void ResponseQueue::hidden(Awaited what, std::function<void()> done)
{
    MESHGATE_ASSERT(what != Awaited::Sync && what != Awaited::Query && what != Awaited::Describe);
    items_.push_back(Item{what, false, false, true, {}, {}, std::move(done)});
}

const std::string& ResponseQueue::front_note() const
{
    static const std::string kNone;
    return items_.empty() ? kNone : items_.front().note;
}

void ResponseQueue::local(Awaited what, std::function<void(std::string&)> write)
{
    MESHGATE_ASSERT(write != nullptr);
    items_.push_back(Item{what, true, false, false, std::move(write), {}, {}});
}

bool ResponseQueue::has_sync() const
{
    for (const auto& i : items_) {
        if (ends_batch(i.what)) {
            return true;
        }
    }
    return false;
}

std::size_t ResponseQueue::count_awaiting(Awaited what) const
{
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [what](const Item& i) {
        return !i.local && !i.hidden && i.what == what;
    }));
}

void ResponseQueue::emit_local(std::string& out)
{
    while (!items_.empty() && items_.front().local) {
        auto write = std::move(items_.front().write);
        items_.pop_front();
        write(out);
    }
}

ResponseQueue::Outcome ResponseQueue::on_backend(char tag)
{
    MESHGATE_ASSERT(awaiting_backend());
    Item& front = items_.front();
    if (tag == 'E') {
        if (ends_batch(front.what)) {
            // An error inside a simple Query, or at Sync (e.g. a failing implicit COMMIT):
            // ReadyForQuery still follows.
            return Outcome::Failed;
        }
        // The backend now ignores everything up to Sync; so must the local answers.
        while (!items_.empty() && !ends_batch(items_.front().what)) {
            items_.pop_front();
        }
        return Outcome::Failed;
    }
    if (ends_batch(front.what)) {
        if (tag == 'Z') {
            items_.pop_front();
            return Outcome::Ready;
        }
        if (front.what == Awaited::Sync && is_completion(tag)) {
            return Outcome::Unexpected;
        }
        return Outcome::Pass;
    }
    if (front.what == Awaited::Describe && tag == 't') {
        front.described_statement = true;
        return Outcome::Pass;
    }
    if (completes(front.what, tag)) {
        const bool hidden = front.hidden;
        auto done = std::move(front.done);
        items_.pop_front();
        if (done) {
            done();
        }
        return hidden ? Outcome::Hidden : Outcome::Completed;
    }
    if (is_completion(tag)) {
        return Outcome::Unexpected;
    }
    return Outcome::Pass;
}

}  // namespace meshgate::proxy
