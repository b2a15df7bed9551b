// The audit log's hash chain (SPEC §6): sealing lines with seq/prev/hash, checking one line,
// verifying a whole log, and resuming a chain from a log's last line. Layer: policy (pure).
//
// Line format. Every line is one JSON object followed by '\n':
//
//     {"seq":S,"prev":"P",<event members>,"hash":"H"}
//
// - S: 1-based, consecutive along the chain (no sign, no leading zeros).
// - P: H of the previous line of the chain; for the first line of a chain, kGenesisHash
//   (64 zeros).
// - H: lower-case hex SHA-256 of the line's content, defined as the exact bytes of the line from
//   its opening `{` up to but excluding the final `,"hash":"`. That content starts with
//   `{"seq":S,"prev":"P"`, so H covers S, P and every event member.
// - The line ends with exactly `,"hash":"` + 64 hex + `"}`; no whitespace anywhere outside
//   strings (the writer never emits any), so the content is well-defined.
//
// Where a chain may start. A log file normally starts a chain (seq 1, prev = genesis). After a
// reopen (log rotation) the writer continues the chain into the new, empty file and writes as its
// first line an `audit` event with `"file_start":true`; `verify` accepts such a first line with
// any seq and prev and reports the seq it continues from. A restart whose file ends in an intact
// line continues that chain. A restart whose file ends in a broken line (a cut write, an edit)
// starts a new chain (seq 1, genesis) after it with an `audit` event saying so; the broken line
// stays in the file and `verify` reports it: nothing is silently repaired.
//
// The chain has no secret key: it detects edited, removed, inserted, reordered and truncated
// lines, but someone able to rewrite the whole file from a point on can recompute every hash
// after it. Ship the log off the host (or anchor the last hash elsewhere) against that.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace meshgate::audit {

/// `prev` of the first line of a chain.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Where the chain stands: the seq and hash of the last line written (0 and genesis before the
/// first line).
struct ChainState {
    uint64_t seq = 0;
    std::string hash = std::string(kGenesisHash);
};

/// Lower-case hex SHA-256 of `content` (the hash of a line, see the format above).
std::string content_hash(std::string_view content);

/// Builds the next line of the chain around `members` (event members as `encode_event` returns
/// them: non-empty, without braces) and advances `state`. The result ends with '\n'.
std::string seal_line(ChainState& state, std::string_view members);

/// One line (without its '\n') taken apart and checked on its own.
struct LineCheck {
    bool ok = false;
    std::string reason;          // why not ok
    bool hash_mismatch = false;  // well-formed, but H is not the hash of the content
    uint64_t seq = 0;
    std::string prev;
    std::string hash;
    std::string event;        // value of "event" ("" when absent or not a plain string)
    bool file_start = false;  // an `audit` event with "file_start":true
};

/// Checks that `line` is one strict JSON object in the format above and that its hash matches.
LineCheck check_line(std::string_view line);

/// The outcome of verifying a log. `first_bad_line` is 1-based (0 when ok).
struct VerifyResult {
    bool ok = false;
    uint64_t lines = 0;  // lines read (up to and including the bad one)
    uint64_t first_bad_line = 0;
    std::string reason;
    uint64_t first_seq = 0;  // seq of line 1 (> 1 for a file that continues a chain)
    uint64_t last_seq = 0;
};

/// Verifies a log line by line, so a large file can be streamed. Feed every '\n'-terminated
/// line with `add_line` (without the '\n'), then the bytes after the last '\n', if any, with
/// `add_unterminated`, then read `result()`. Stops at the first broken line; later input is
/// ignored.
class ChainVerifier {
public:
    void add_line(std::string_view line);
    /// A final line the file does not terminate: always broken (a cut write or a cut file).
    void add_unterminated(std::string_view tail);
    /// Read after all input. An empty log is not ok (there is nothing to vouch for).
    VerifyResult result() const;
    bool failed() const { return failed_; }

private:
    void fail(std::string reason);

    uint64_t lines_ = 0;
    bool failed_ = false;
    VerifyResult bad_;
    uint64_t first_seq_ = 0;
    uint64_t last_seq_ = 0;
    std::string last_hash_;
};

/// Verifies a whole log held in memory (split on '\n').
VerifyResult verify(std::string_view log_text);

/// Where a writer continues an existing log. `ok`: the log's last line is intact and `state`
/// continues it. Otherwise `reason` says what is wrong with it and the writer starts a new chain.
struct ResumePoint {
    bool ok = false;
    ChainState state;
    std::string reason;
};

/// `last_line` is the file's last line without its '\n'; `terminated` says whether the file
/// ends with '\n' (when false, `last_line` is the bytes after the last '\n').
ResumePoint resume_point(std::string_view last_line, bool terminated);

}  // namespace meshgate::audit
