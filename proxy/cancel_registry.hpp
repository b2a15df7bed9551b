// CancelRegistry: the (process id, secret key) pairs meshgate issued in BackendKeyData, and which
// backend query each one may cancel. Layer: proxy (thread-safe; no I/O).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace meshgate::proxy {

/// Where a CancelRequest for a session goes: the backend connection running its statement.
struct CancelTarget {
    std::string host;
    uint16_t port = 0;
    int32_t process_id = 0;   // the backend's BackendKeyData
    int32_t secret_key = 0;
};

/// The key a session hands to its client.
struct CancelKey {
    int32_t process_id = 0;
    int32_t secret_key = 0;
};

/// Thread-safe: sessions on any thread register, update and remove their entries.
class CancelRegistry {
public:
    /// A fresh random key (process id unique among live sessions, positive; secret random).
    CancelKey register_session();
    /// Sets (or clears, with nullopt) what a cancel of this session reaches.
    void set_target(int32_t process_id, std::optional<CancelTarget> target);
    void unregister(int32_t process_id);
    /// The target of a CancelRequest, when process id and secret key both match (the key is
    /// compared in constant time) and the session currently uses a backend.
    std::optional<CancelTarget> lookup(int32_t process_id, int32_t secret_key) const;
    std::size_t size() const;

private:
    struct Entry {
        int32_t secret_key = 0;
        std::optional<CancelTarget> target;
    };
    mutable std::mutex mutex_;
    std::unordered_map<int32_t, Entry> entries_;
};

}  // namespace meshgate::proxy
