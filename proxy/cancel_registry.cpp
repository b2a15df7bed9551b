// CancelRegistry: issued cancel keys and their current backend targets.
// Layer: proxy (thread-safe; no I/O).
#include "proxy/cancel_registry.hpp"

#include "auth/random.hpp"

#include <cstring>

namespace meshgate::proxy {
namespace {

int32_t random_i32()
{
    const std::string b = auth::random_bytes(4);
    uint32_t v = 0;
    std::memcpy(&v, b.data(), 4);
    return static_cast<int32_t>(v);
}

}  // namespace

CancelKey CancelRegistry::register_session()
{
    std::lock_guard lock(mutex_);
    while (true) {
        // Positive process ids: some clients print or store them as unsigned/pid_t.
        const int32_t pid = random_i32() & 0x7FFFFFFF;
        if (pid == 0 || entries_.count(pid) != 0) {
            continue;
        }
        const int32_t key = random_i32();
        entries_.emplace(pid, Entry{key, std::nullopt});
        return CancelKey{pid, key};
    }
}

void CancelRegistry::set_target(int32_t process_id, std::optional<CancelTarget> target)
{
    std::lock_guard lock(mutex_);
    auto it = entries_.find(process_id);
    if (it != entries_.end()) {
        it->second.target = std::move(target);
    }
}

void CancelRegistry::unregister(int32_t process_id)
{
    std::lock_guard lock(mutex_);
    entries_.erase(process_id);
}

std::optional<CancelTarget> CancelRegistry::lookup(int32_t process_id, int32_t secret_key) const
{
    std::lock_guard lock(mutex_);
    auto it = entries_.find(process_id);
    if (it == entries_.end()) {
        return std::nullopt;
    }
    // Constant-time comparison of the secret: the pid is public, the key is not.
    const uint32_t diff = static_cast<uint32_t>(it->second.secret_key) ^
                          static_cast<uint32_t>(secret_key);
    volatile uint32_t acc = diff;
    if (acc != 0) {
        return std::nullopt;
    }
    return it->second.target;
}

std::size_t CancelRegistry::size() const
{
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace meshgate::proxy
