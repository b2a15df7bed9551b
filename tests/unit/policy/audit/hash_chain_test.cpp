// The audit hash chain: sealing, and verify catching each kind of tampering at the right line.
// Layer: tests (policy/audit).
#include "policy/audit/hash_chain.hpp"
#include "policy/audit/audit_event.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace meshgate::audit;

namespace {

std::string members_for(int i)
{
    AuditEvent e;
    e.kind = EventKind::Statement;
    e.ts = "2026-11-24T15:00:00.000000Z";
    e.session = "s-" + std::to_string(i % 3);
    e.user = "alice";
    e.client = "10.0.0.1:5555";
    e.statement = "SELECT " + std::to_string(i);
    e.decision = StatementDecision::Allow;
    e.rows = i;
    return encode_event(e);
}

/// A chain of `n` sealed lines, each with its '\n'.
std::vector<std::string> chain(int n, ChainState& state)
{
    std::vector<std::string> lines;
    for (int i = 1; i <= n; ++i) {
        lines.push_back(seal_line(state, members_for(i)));
    }
    return lines;
}

std::vector<std::string> chain(int n)
{
    ChainState state;
    return chain(n, state);
}

std::string join(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& l : lines) {
        out += l;
    }
    return out;
}

}  // namespace

TEST_SUITE("audit.chain")
{
    TEST_CASE("sealed lines carry seq, prev and a hash over the content before the hash")
    {
        ChainState state;
        const auto l1 = seal_line(state, members_for(1));
        const auto l2 = seal_line(state, members_for(2));
        REQUIRE(l1.ends_with("\"}\n"));
        CHECK(
            l1.starts_with("{\"seq\":1,\"prev\":\"" + std::string(kGenesisHash) + "\",\"event\":"));
        const auto hash_at = l1.find(",\"hash\":\"");
        REQUIRE(hash_at != std::string::npos);
        const std::string h1 = l1.substr(hash_at + 9, 64);
        CHECK(h1 == content_hash(l1.substr(0, hash_at)));
        CHECK(l2.starts_with("{\"seq\":2,\"prev\":\"" + h1 + "\","));
        CHECK(state.seq == 2);
        CHECK(state.hash == l2.substr(l2.find(",\"hash\":\"") + 9, 64));
    }

    TEST_CASE("content_hash is hex SHA-256")
    {
        CHECK(content_hash("abc") ==
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    TEST_CASE("an intact chain verifies")
    {
        const auto r = verify(join(chain(50)));
        CHECK(r.ok);
        CHECK(r.lines == 50);
        CHECK(r.first_seq == 1);
        CHECK(r.last_seq == 50);
        CHECK(r.first_bad_line == 0);
    }

    TEST_CASE("each kind of tampering is reported at the first line where it shows")
    {
        const auto good = chain(6);
        struct Row {
            const char* what;
            std::vector<std::string> lines;
            uint64_t bad_line;
            const char* reason_part;
        };
        auto edited = good;
        edited[2].replace(edited[2].find("SELECT 3"), 8, "SELECT 4");
        auto removed = good;
        removed.erase(removed.begin() + 3);
        auto removed_first = good;
        removed_first.erase(removed_first.begin());
        auto reordered = good;
        std::swap(reordered[2], reordered[3]);
        auto repeated = good;
        repeated.insert(repeated.begin() + 2, good[1]);
        // An inserted line forged with a correct hash of its own, spliced between lines 3 and 4.
        ChainState forge_state;
        forge_state.seq = 3;
        forge_state.hash = good[2].substr(good[2].find(",\"hash\":\"") + 9, 64);
        auto inserted = good;
        inserted.insert(inserted.begin() + 3, seal_line(forge_state, members_for(99)));
        // An edit whose hash was recomputed: the line itself checks, the next one's prev does not.
        ChainState rehash_state;
        rehash_state.seq = 1;
        rehash_state.hash = good[0].substr(good[0].find(",\"hash\":\"") + 9, 64);
        auto rehashed = good;
        rehashed[1] = seal_line(rehash_state, members_for(42));
        auto cut = good;
        cut.back().resize(cut.back().size() / 2);
        auto no_newline = good;
        no_newline.back().pop_back();
        auto whitespace = good;
        whitespace[4].insert(whitespace[4].find(",\"hash\":") + 8, " ");
        auto garbage = good;
        garbage[1] = "not json at all\n";
        auto blank = good;
        blank.insert(blank.begin() + 2, "\n");

        const Row rows[] = {
            {"edited", edited, 3, "edited"},
            {"removed", removed, 4, "1 line(s) missing"},
            {"first removed", removed_first, 1, "instead of 1"},
            {"reordered", reordered, 3, "missing"},
            {"repeated", repeated, 3, "repeated or out of order"},
            {"inserted", inserted, 5, "repeated or out of order"},
            {"edited and rehashed", rehashed, 3, "\"prev\" does not match"},
            {"last line cut", cut, 6, "no newline"},
            {"newline removed", no_newline, 6, "no newline"},
            {"whitespace added", whitespace, 5, "canonical"},
            {"garbage line", garbage, 2, "not a JSON object"},
            {"blank line", blank, 3, "empty line"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.what);
            const auto result = verify(join(r.lines));
            CHECK_FALSE(result.ok);
            CHECK(result.first_bad_line == r.bad_line);
            CHECK(result.reason.find(r.reason_part) != std::string::npos);
        }
    }

    TEST_CASE("an empty log does not verify")
    {
        const auto r = verify("");
        CHECK_FALSE(r.ok);
        CHECK(r.reason.find("empty") != std::string::npos);
    }

    TEST_CASE("a rotated file that starts with a file_start marker continues the chain")
    {
        ChainState state;
        const auto first_file = chain(4, state);
        AuditEvent marker;
        marker.kind = EventKind::Audit;
        marker.ts = "2026-11-24T16:00:00.000000Z";
        marker.reason = "log reopened; chain continues";
        marker.file_start = true;
        std::vector<std::string> second_file = {seal_line(state, encode_event(marker))};
        for (int i = 0; i < 3; ++i) {
            second_file.push_back(seal_line(state, members_for(10 + i)));
        }
        const auto r = verify(join(second_file));
        CHECK(r.ok);
        CHECK(r.first_seq == 5);
        CHECK(r.last_seq == 8);
        // Both files concatenated verify as one chain too.
        CHECK(verify(join(first_file) + join(second_file)).ok);

        SUBCASE("but not when the marker is not a file_start audit event")
        {
            auto without = second_file;
            without.erase(without.begin());
            const auto bad = verify(join(without));
            CHECK_FALSE(bad.ok);
            CHECK(bad.first_bad_line == 1);
        }
    }

    TEST_CASE("a chain resumes from an intact last line and refuses a broken one")
    {
        ChainState state;
        const auto lines = chain(3, state);
        std::string last = lines.back();
        last.pop_back();  // without '\n'

        const auto p = resume_point(last, true);
        REQUIRE(p.ok);
        CHECK(p.state.seq == state.seq);
        CHECK(p.state.hash == state.hash);

        // Continuing from the resume point gives a log that verifies as one chain.
        ChainState resumed = p.state;
        const auto next = seal_line(resumed, members_for(4));
        CHECK(verify(join(lines) + next).ok);

        CHECK_FALSE(resume_point(last, false).ok);
        CHECK_FALSE(resume_point(last.substr(0, 40), true).ok);
        std::string edited = last;
        edited.replace(edited.find("SELECT 3"), 8, "SELECT 9");
        const auto e = resume_point(edited, true);
        CHECK_FALSE(e.ok);
        CHECK(e.reason.find("edited") != std::string::npos);
    }

    TEST_CASE("check_line extracts seq, prev, hash and the event")
    {
        ChainState state;
        auto line = seal_line(state, members_for(1));
        line.pop_back();
        const auto c = check_line(line);
        REQUIRE(c.ok);
        CHECK(c.seq == 1);
        CHECK(c.prev == kGenesisHash);
        CHECK(c.hash == state.hash);
        CHECK(c.event == "statement");
        CHECK_FALSE(c.file_start);

        const char* bad_seq[] = {"0", "01", "-1", "1.0", "\"1\"", "99999999999999999999"};
        for (const char* s : bad_seq) {
            CAPTURE(s);
            std::string l = line;
            l.replace(7, 1, s);
            CHECK_FALSE(check_line(l).ok);
        }
    }

    TEST_CASE("changing, removing or adding any single byte of a log is detected")
    {
        const std::string log = join(chain(3));
        REQUIRE(verify(log).ok);
        for (std::size_t i = 0; i < log.size(); ++i) {
            CAPTURE(i);
            std::string changed = log;
            changed[i] = changed[i] == 'a' ? 'b' : 'a';
            CHECK_FALSE(verify(changed).ok);
            std::string removed = log;
            removed.erase(i, 1);
            CHECK_FALSE(verify(removed).ok);
            std::string added = log;
            added.insert(i, 1, ' ');
            CHECK_FALSE(verify(added).ok);
        }
    }
}
