// Error and Result: the one error type every layer returns for input from outside.
// Layer: common (std + Boost.System header-only), used by every other layer.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

namespace meshgate {

/// A failure to report to a person or a peer: SQLSTATE, a human message, and an optional
/// 1-based cursor position into the statement text (0 = none).
struct Error {
    Error() = default;
    /// Not an aggregate on purpose: an aggregate starting with std::string would make Error
    /// constructible from a lone string, which switches off Result<std::string>'s implicit
    /// value constructor (`return text;` would not compile).
    Error(std::string sqlstate_, std::string message_, int position_ = 0, std::string detail_ = {},
          std::string hint_ = {})
        : sqlstate(std::move(sqlstate_)),
          message(std::move(message_)),
          position(position_),
          detail(std::move(detail_)),
          hint(std::move(hint_))
    {
    }

    std::string sqlstate;
    std::string message;
    int position = 0;
    std::string detail;
    std::string hint;
    /// PostgreSQL's R field (the routine that raised it): some drivers act on it, e.g. 0A000
    /// from RevalidateCachedQuery makes pgjdbc, Rails and postgres.js prepare the statement again.
    std::string routine;
};

inline Error make_error(std::string sqlstate, std::string message, int position = 0)
{
    return Error{std::move(sqlstate), std::move(message), position, {}, {}};
}

/// Thrown only by Result::value() on an error: a bug, since callers check first.
class ErrorException : public std::runtime_error {
public:
    explicit ErrorException(const Error& e) : std::runtime_error(e.sqlstate + ": " + e.message) {}
};

[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&)
{
    throw ErrorException(e);
}

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace meshgate

/// Programmer invariants only, never for anything a peer can trigger.
#define MESHGATE_ASSERT(cond)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ::meshgate::detail_assert_fail(#cond, __FILE__, __LINE__);                             \
        }                                                                                          \
    } while (false)

namespace meshgate {
[[noreturn]] void detail_assert_fail(const char* cond, const char* file, int line);
}
