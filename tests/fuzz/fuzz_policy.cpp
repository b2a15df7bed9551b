// libFuzzer target: arbitrary SQL text + a fixture identity -> decide() never crashes, and every
// statement it allows forwards SQL that parses again. Layer: tests (fuzz).
// The fixtures are compiled in directly: the FUZZ build links only the layer libraries.
#include "../unit/policy/support/fixtures.cpp"  // NOLINT(bugprone-suspicious-include)

#include <pg_query.h>

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace meshgate::policy;
    if (size < 1) {
        return 0;
    }
    static const char* const kUsers[] = {"alice", "bob", "mallory", "carol", "dave", "erin", "nobody"};
    const auto who = fixtures::identity(kUsers[data[0] % 7], (data[0] & 0x80) != 0 ? "fraud" : "");
    const auto protocol = (data[0] & 0x40) != 0 ? Protocol::Extended : Protocol::Simple;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

    const auto d = decide(text, who, fixtures::snapshot(), protocol);
    if (!d.is_allow()) {
        return 0;
    }
    for (const auto& step : d.allow().steps) {
        const auto* f = std::get_if<Forward>(&step);
        if (f == nullptr) {
            continue;
        }
        if (f->sql.find('\0') != std::string::npos) {
            std::fprintf(stderr, "forwarded SQL holds a NUL byte\n");
            std::abort();
        }
        auto r = pg_query_parse(f->sql.c_str());
        const bool ok = r.error == nullptr;
        pg_query_free_parse_result(r);
        if (!ok) {
            std::fprintf(stderr, "allowed SQL does not parse again: %s\n", f->sql.c_str());
            std::abort();
        }
    }
    return 0;
}
