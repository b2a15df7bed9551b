// RFC 3339 timestamps for audit lines, from a time point the caller supplies (the pure layer
// never reads a clock). Layer: policy (pure).
#pragma once

#include <chrono>
#include <string>

namespace meshgate::audit {

/// `t` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds, always 27 characters for years
/// 0000-9999; earlier or later years are clamped to that range).
std::string format_timestamp(std::chrono::system_clock::time_point t);

}  // namespace meshgate::audit
