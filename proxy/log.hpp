// A tiny thread-safe logger: one line per event on stderr, `TS LEVEL message key=value ...` or
// (log_format: json) `{"ts":...,"level":"info","msg":...,"key":"value",...}`.
// Layer: proxy (edge; the pure layers never log).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace meshgate::proxy {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };
enum class LogFormat { Text, Json };

/// One `key=value` pair of a log line. Values are quoted when they hold spaces, quotes, '=' or
/// nothing; control characters (a backend message may hold newlines) are escaped, so one event
/// is always one line. Keys that look like secrets (password, secret, token, key, verifier) have
/// their value replaced by `[redacted]` as a last line of defence: never pass secrets at all.
struct LogField {
    std::string_view key;
    std::string value;

    LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
    LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
    LogField(std::string_view k, const char* v) : key(k), value(v != nullptr ? v : "") {}
    template <class N, std::enable_if_t<std::is_arithmetic_v<N> && !std::is_same_v<N, bool>, int> = 0>
    LogField(std::string_view k, N v) : key(k), value(std::to_string(v))
    {
    }
    LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
};

using LogFields = std::initializer_list<LogField>;

/// Lines below this level are dropped. Default Info; thread-safe.
void set_log_level(LogLevel level);
LogLevel log_level();
/// Parses "debug" | "info" | "warn" | "error" | "off"; false (level unchanged) otherwise.
bool parse_log_level(std::string_view text, LogLevel& out);
bool log_enabled(LogLevel level);
/// Text (default) or one JSON object per line; thread-safe.
void set_log_format(LogFormat format);
LogFormat log_format();

/// Writes one line `2026-11-24T15:00:00Z INFO message key=value` to stderr, atomically with
/// respect to other log calls. Never throws.
void log_write(LogLevel level, std::string_view message, LogFields fields = {});

inline void log_debug(std::string_view message, LogFields fields = {})
{
    log_write(LogLevel::Debug, message, fields);
}
inline void log_info(std::string_view message, LogFields fields = {})
{
    log_write(LogLevel::Info, message, fields);
}
inline void log_warn(std::string_view message, LogFields fields = {})
{
    log_write(LogLevel::Warn, message, fields);
}
inline void log_error(std::string_view message, LogFields fields = {})
{
    log_write(LogLevel::Error, message, fields);
}

/// The text of one line without timestamp and newline (`INFO message key=value`); exposed for
/// unit tests.
std::string format_log_line(LogLevel level, std::string_view message, LogFields fields);
/// The JSON members after `"ts"` (`"level":"info","msg":"...",...` without braces); exposed for
/// unit tests. Secret-looking keys are redacted as in text lines.
std::string format_log_json(LogLevel level, std::string_view message, LogFields fields);

}  // namespace meshgate::proxy
