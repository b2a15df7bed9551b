// The audit log's hash chain: seal, check, verify, resume. Layer: policy (pure).
#include "policy/audit/hash_chain.hpp"

#include "policy/audit/json_object.hpp"
#include "policy/sha256.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace meshgate::audit {

namespace {

constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::size_t kHexLength = 64;
// `,"hash":"` + 64 hex + `"}`
constexpr std::size_t kSuffixLength = kHashKey.size() + kHexLength + 2;

bool lower_hex64(std::string_view s)
{
    return s.size() == kHexLength && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

/// The hex digits of a JSON string value `"…"` holding exactly 64 lower-case hex digits.
bool hex_string_value(std::string_view raw, std::string& out)
{
    if (raw.size() != kHexLength + 2 || raw.front() != '"' || raw.back() != '"') {
        return false;
    }
    const auto inner = raw.substr(1, kHexLength);
    if (!lower_hex64(inner)) {
        return false;
    }
    out.assign(inner);
    return true;
}

bool seq_value(std::string_view raw, uint64_t& out)
{
    if (raw.empty() || raw.size() > 19 || raw.front() == '0' ||
        !std::all_of(raw.begin(), raw.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    const auto r = std::from_chars(raw.data(), raw.data() + raw.size(), out);
    return r.ec == std::errc() && r.ptr == raw.data() + raw.size() && out > 0;
}

std::string seq_text(uint64_t seq) { return std::to_string(seq); }

}  // namespace

std::string content_hash(std::string_view content)
{
    const auto d = policy::sha256(content);
    return policy::to_hex(d.data(), d.size());
}

std::string seal_line(ChainState& state, std::string_view members)
{
    MESHGATE_ASSERT(!members.empty());
    std::string line;
    line.reserve(members.size() + 180);
    line += "{\"seq\":";
    line += seq_text(state.seq + 1);
    line += ",\"prev\":\"";
    line += state.hash;
    line += "\",";
    line += members;
    std::string hash = content_hash(line);
    line += kHashKey;
    line += hash;
    line += "\"}\n";
    state.seq += 1;
    state.hash = std::move(hash);
    return line;
}

LineCheck check_line(std::string_view line)
{
    LineCheck c;
    std::vector<JsonMember> members;
    std::string error;
    if (line.empty()) {
        c.reason = "empty line";
        return c;
    }
    if (!read_json_object(line, members, error)) {
        c.reason = "not a JSON object: " + error;
        return c;
    }
    if (members.size() < 4 || members[0].key != "seq" || members[1].key != "prev" ||
        members.back().key != "hash") {
        c.reason = "not an audit line: expected \"seq\", \"prev\" first and \"hash\" last";
        return c;
    }
    if (!seq_value(members[0].value, c.seq)) {
        c.reason = "\"seq\" is not a positive integer";
        return c;
    }
    if (!hex_string_value(members[1].value, c.prev)) {
        c.reason = "\"prev\" is not 64 lower-case hex digits";
        return c;
    }
    if (!hex_string_value(members.back().value, c.hash)) {
        c.reason = "\"hash\" is not 64 lower-case hex digits";
        return c;
    }
    // The hashed content must be exactly what the writer produced: no whitespace around the
    // object or before the hash member, which the JSON check above would otherwise allow.
    if (!line.starts_with("{\"seq\":") || line.size() < kSuffixLength ||
        line.substr(line.size() - kSuffixLength, kHashKey.size()) != kHashKey ||
        !line.ends_with("\"}")) {
        c.reason = "not in canonical form (whitespace or layout changed)";
        return c;
    }
    for (const auto& m : members) {
        if (m.key == "event" && m.value.size() >= 2 && m.value.front() == '"') {
            c.event.assign(m.value.substr(1, m.value.size() - 2));
        } else if (m.key == "file_start") {
            c.file_start = m.value == "true";
        }
    }
    c.file_start = c.file_start && c.event == "audit";
    const auto content = line.substr(0, line.size() - kSuffixLength);
    if (content_hash(content) != c.hash) {
        c.hash_mismatch = true;
        c.reason = "hash does not match the line's content (line edited)";
        return c;
    }
    c.ok = true;
    return c;
}

void ChainVerifier::fail(std::string reason)
{
    failed_ = true;
    bad_.ok = false;
    bad_.lines = lines_;
    bad_.first_bad_line = lines_;
    bad_.reason = std::move(reason);
    bad_.first_seq = first_seq_;
    bad_.last_seq = last_seq_;
}

void ChainVerifier::add_line(std::string_view line)
{
    if (failed_) {
        return;
    }
    ++lines_;
    const LineCheck c = check_line(line);
    if (!c.ok) {
        fail(c.reason);
        return;
    }
    if (lines_ == 1) {
        if (c.seq == 1 && c.prev == kGenesisHash) {
            // the start of a chain
        } else if (c.file_start) {
            // the first line of a rotated file: continues a chain from an earlier file
        } else if (c.seq == 1) {
            fail("the first line has seq 1 but its \"prev\" is not the genesis value");
            return;
        } else {
            fail("the log starts at seq " + seq_text(c.seq) +
                 " instead of 1: lines before it were removed");
            return;
        }
        first_seq_ = c.seq;
    } else {
        const uint64_t expected = last_seq_ + 1;
        if (c.seq < expected) {
            fail("seq " + seq_text(c.seq) + " follows seq " + seq_text(last_seq_) +
                 ": a line is repeated or out of order");
            return;
        }
        if (c.seq > expected) {
            fail("seq " + seq_text(c.seq) + " follows seq " + seq_text(last_seq_) + ": " +
                 seq_text(c.seq - expected) + " line(s) missing");
            return;
        }
        if (c.prev != last_hash_) {
            fail("\"prev\" does not match the hash of the line before (line " +
                 seq_text(lines_ - 1) + " was edited or replaced)");
            return;
        }
    }
    last_seq_ = c.seq;
    last_hash_ = c.hash;
}

void ChainVerifier::add_unterminated(std::string_view tail)
{
    if (failed_ || tail.empty()) {
        return;
    }
    ++lines_;
    fail("the last line has no newline: the file was cut or a write was interrupted");
}

VerifyResult ChainVerifier::result() const
{
    if (failed_) {
        return bad_;
    }
    VerifyResult r;
    if (lines_ == 0) {
        r.first_bad_line = 1;
        r.reason = "the log is empty";
        return r;
    }
    r.ok = true;
    r.lines = lines_;
    r.first_seq = first_seq_;
    r.last_seq = last_seq_;
    return r;
}

VerifyResult verify(std::string_view log_text)
{
    ChainVerifier v;
    std::size_t start = 0;
    while (start < log_text.size() && !v.failed()) {
        const auto nl = log_text.find('\n', start);
        if (nl == std::string_view::npos) {
            v.add_unterminated(log_text.substr(start));
            break;
        }
        v.add_line(log_text.substr(start, nl - start));
        start = nl + 1;
    }
    return v.result();
}

ResumePoint resume_point(std::string_view last_line, bool terminated)
{
    ResumePoint p;
    if (!terminated) {
        p.reason = "the last line has no newline (a cut write)";
        return p;
    }
    const LineCheck c = check_line(last_line);
    if (!c.ok) {
        p.reason = "the last line is broken: " + c.reason;
        return p;
    }
    p.ok = true;
    p.state.seq = c.seq;
    p.state.hash = c.hash;
    return p;
}

}  // namespace meshgate::audit
