// WallClock: where audit timestamps come from; tests substitute a fixed clock (STYLE §3).
// Layer: proxy (I/O edge).
#pragma once

#include <chrono>

namespace meshgate::proxy {

/// Source of wall-clock time. Implementations must be safe to call from any thread.
class WallClock {
public:
    virtual ~WallClock() = default;
    virtual std::chrono::system_clock::time_point now() const = 0;
};

/// The system's real-time clock.
class SystemWallClock final : public WallClock {
public:
    std::chrono::system_clock::time_point now() const override
    {
        return std::chrono::system_clock::now();
    }
};

}  // namespace meshgate::proxy
