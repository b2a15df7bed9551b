// ok(value): builds a successful Result explicitly. Layer: auth (pure).
//
// Why: Error is an aggregate whose first member is std::string, so in C++20
// std::is_constructible<Error, std::string> holds (parenthesized aggregate init), and
// boost::system::result then disables its implicit value constructor for Result<std::string>
// and Result<std::string_view>. `return text;` does not compile; `return ok(text);` does.
#pragma once

#include "common/error.hpp"

#include <type_traits>
#include <utility>

namespace meshgate::auth {

/// A Result holding `value` (in place, never mistaken for an error).
template <class T>
Result<std::decay_t<T>> ok(T&& value)
{
    return Result<std::decay_t<T>>(boost::system::in_place_value, std::forward<T>(value));
}

}  // namespace meshgate::auth
