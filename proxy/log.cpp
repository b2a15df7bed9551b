// The stderr logger: formatting, escaping, secret redaction, one write per line.
// Layer: proxy (edge).
#include "proxy/log.hpp"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace meshgate::proxy {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
std::atomic<int> g_format{static_cast<int>(LogFormat::Text)};
std::mutex g_write_mutex;

const char* level_name(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return "DEBUG";
    case LogLevel::Info:
        return "INFO";
    case LogLevel::Warn:
        return "WARN";
    case LogLevel::Error:
        return "ERROR";
    case LogLevel::Off:
        break;
    }
    return "OFF";
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// A key naming a credential gets its value redacted whatever the caller passed.
bool is_secret_key(std::string_view key)
{
    const std::string k = lower(key);
    for (const char* word : {"password", "passwd", "secret", "token", "verifier", "key"}) {
        if (k.find(word) != std::string::npos) {
            // "backend_key" style names of non-secret ids would be caught too; that is the
            // safe direction.
            return true;
        }
    }
    return false;
}

// Escapes control characters, backslash and double quote so one event stays one line and a
// peer cannot forge extra fields or lines.
void append_escaped(std::string& out, std::string_view s)
{
    static constexpr char kHex[] = "0123456789abcdef";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\x";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
            } else {
                out += ch;
            }
        }
    }
}

bool needs_quotes(std::string_view v)
{
    if (v.empty()) {
        return true;
    }
    for (char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f || ch == '"' || ch == '=' || ch == '\\') {
            return true;
        }
    }
    return false;
}

// A JSON string body: escapes quotes, backslash and every control character (\u00XX).
void append_json(std::string& out, std::string_view s)
{
    static constexpr char kHex[] = "0123456789abcdef";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c == 0x7f) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += ch;  // UTF-8 passes through; invalid bytes are the reader's problem
        }
    }
}

void append_key(std::string& out, std::string_view key)
{
    // Keys are ours, but keep the format parseable even if one is built from input.
    for (char ch : key) {
        const auto c = static_cast<unsigned char>(ch);
        out += (std::isalnum(c) != 0 || ch == '_' || ch == '.' || ch == '-') ? ch : '_';
    }
}

}  // namespace

void set_log_level(LogLevel level)
{
    g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel log_level()
{
    return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed));
}

bool parse_log_level(std::string_view text, LogLevel& out)
{
    const std::string t = lower(text);
    if (t == "debug") {
        out = LogLevel::Debug;
    } else if (t == "info") {
        out = LogLevel::Info;
    } else if (t == "warn" || t == "warning") {
        out = LogLevel::Warn;
    } else if (t == "error") {
        out = LogLevel::Error;
    } else if (t == "off" || t == "none") {
        out = LogLevel::Off;
    } else {
        return false;
    }
    return true;
}

bool log_enabled(LogLevel level)
{
    return level != LogLevel::Off &&
           static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void set_log_format(LogFormat format)
{
    g_format.store(static_cast<int>(format), std::memory_order_relaxed);
}

LogFormat log_format()
{
    return static_cast<LogFormat>(g_format.load(std::memory_order_relaxed));
}

std::string format_log_json(LogLevel level, std::string_view message, LogFields fields)
{
    std::string line = "\"level\":\"";
    line += lower(level_name(level));
    line += "\",\"msg\":\"";
    append_json(line, message);
    line += '"';
    for (const auto& f : fields) {
        std::string key;
        append_key(key, f.key);
        if (key == "ts" || key == "level" || key == "msg") {
            key = "field_" + key;  // never shadow the fixed members
        }
        line += ",\"";
        line += key;
        line += "\":\"";
        append_json(line, is_secret_key(f.key) ? std::string_view("[redacted]")
                                               : std::string_view(f.value));
        line += '"';
    }
    return line;
}

std::string format_log_line(LogLevel level, std::string_view message, LogFields fields)
{
    std::string line = level_name(level);
    line += ' ';
    // The message is free text but must not break the line either.
    std::string msg;
    append_escaped(msg, message);
    line += msg;
    for (const auto& f : fields) {
        line += ' ';
        append_key(line, f.key);
        line += '=';
        const std::string_view v = is_secret_key(f.key) ? std::string_view("[redacted]")
                                                        : std::string_view(f.value);
        if (needs_quotes(v)) {
            line += '"';
            append_escaped(line, v);
            line += '"';
        } else {
            line += v;
        }
    }
    return line;
}

void log_write(LogLevel level, std::string_view message, LogFields fields)
{
    if (!log_enabled(level)) {
        return;
    }
    try {
        char ts[32];
        const std::time_t now = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&now, &tm);
        const std::size_t n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
        std::string line;
        if (log_format() == LogFormat::Json) {
            line = "{\"ts\":\"";
            line.append(ts, n);
            line += "\",";
            line += format_log_json(level, message, fields);
            line += "}\n";
        } else {
            line.assign(ts, n);
            line += ' ';
            line += format_log_line(level, message, fields);
            line += '\n';
        }
        const std::lock_guard<std::mutex> lock(g_write_mutex);
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fflush(stderr);
    } catch (...) {
        // Logging must never take a session down (e.g. bad_alloc while formatting).
    }
}

}  // namespace meshgate::proxy
