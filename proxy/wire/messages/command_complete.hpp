// 'C' CommandComplete (backend): a statement finished. Layer: proxy/wire (pure).
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>

namespace meshgate::wire {

/// CommandComplete: the command tag, e.g. "SELECT 3", "BEGIN", "COPY 10".
struct CommandComplete {
    static constexpr char kTag = 'C';
    std::string tag;
    friend bool operator==(const CommandComplete&, const CommandComplete&) = default;
};

/// Decodes a CommandComplete body: one NUL-terminated string and nothing after it.
Result<CommandComplete> decode_command_complete(std::string_view body);

/// Appends the whole tagged frame.
void encode(const CommandComplete& m, std::string& out);

}  // namespace meshgate::wire
