// Helpers shared by the typed message decoders: the 08P01 error and the count-before-reserve check.
// Layer: proxy/wire (pure: std and common/error only).
#pragma once

#include "common/error.hpp"
#include "proxy/wire/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace meshgate::wire {

/// SQLSTATE of every decode failure: protocol_violation.
inline constexpr std::string_view kProtocolViolation = "08P01";

/// An 08P01 Error reading "malformed <message> message: <what>".
Error protocol_violation(std::string_view message, std::string_view what);

/// An 08P01 Error for bytes left over after the last field of `message`.
Error trailing_bytes(std::string_view message, const Reader& r);

/// True when `count` elements of at least `min_size` bytes each can fit in what `r` has left.
/// Decoders call this before reserving memory for `count` elements, so a hostile count in a
/// short message never turns into a large allocation.
bool count_fits(const Reader& r, int64_t count, std::size_t min_size);

}  // namespace meshgate::wire
