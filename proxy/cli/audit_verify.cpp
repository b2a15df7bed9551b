// `meshgate audit verify FILE`: streams an audit log through the hash-chain verifier and reports
// the first broken line. Layer: proxy (edge).
#include "policy/audit/hash_chain.hpp"
#include "proxy/cli/audit_command.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace meshgate::cli {
namespace {

constexpr const char* kUsage =
    "usage: meshgate audit verify FILE\n"
    "\n"
    "Checks the hash chain of an audit log written by meshgate (FILE \"-\" reads stdin).\n"
    "Every line carries seq, prev and hash; an edited, removed, inserted, reordered or cut\n"
    "line breaks the chain. A rotated file that continues a chain from an earlier file is\n"
    "accepted (its first line says so); files can also be concatenated in order and checked\n"
    "as one: cat audit.jsonl.2 audit.jsonl.1 audit.jsonl | meshgate audit verify -\n"
    "\n"
    "Prints `ok: N lines, chain intact` and exits 0, or `FILE:LINE: broken chain: REASON`\n"
    "for the first broken line and exits 1. Exits 2 on a usage error or an unreadable file.\n"
    "\n"
    "options:\n"
    "  --help   this text\n";

// Far above the longest line the writer produces (statement and rewritten SQL are capped at
// 64 KiB each before escaping); a longer line cannot be ours and is not buffered further.
constexpr std::size_t kMaxLine = 16 * 1024 * 1024;

class File {
public:
    explicit File(const std::string& path)
        : f_(path == "-" ? stdin : std::fopen(path.c_str(), "rb")), owned_(path != "-")
    {
    }
    ~File()
    {
        if (f_ != nullptr && owned_) {
            std::fclose(f_);
        }
    }
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    std::FILE* get() const { return f_; }

private:
    std::FILE* f_;
    bool owned_;
};

int verify_file(const std::string& path)
{
    File file(path);
    if (file.get() == nullptr) {
        std::fprintf(stderr, "meshgate audit verify: cannot open %s: %s\n", path.c_str(),
                     std::strerror(errno));
        return 2;
    }
    audit::ChainVerifier verifier;
    std::string line;
    bool overlong = false;
    uint64_t overlong_at = 0;
    uint64_t line_no = 0;
    std::string chunk(1 << 20, '\0');
    while (!verifier.failed() && !overlong) {
        const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), file.get());
        if (n == 0) {
            break;
        }
        std::string_view data(chunk.data(), n);
        while (!data.empty()) {
            const auto nl = data.find('\n');
            const auto piece = data.substr(0, nl);
            if (line.size() + piece.size() > kMaxLine) {
                overlong = true;
                overlong_at = line_no + 1;
                break;
            }
            line.append(piece);
            if (nl == std::string_view::npos) {
                break;
            }
            ++line_no;
            verifier.add_line(line);
            line.clear();
            data.remove_prefix(nl + 1);
            if (verifier.failed()) {
                break;
            }
        }
    }
    if (std::ferror(file.get()) != 0) {
        std::fprintf(stderr, "meshgate audit verify: cannot read %s: %s\n", path.c_str(),
                     std::strerror(errno));
        return 2;
    }
    if (overlong && !verifier.failed()) {
        std::printf("%s:%llu: broken chain: line longer than %zu bytes: not written by meshgate\n",
                    path.c_str(), static_cast<unsigned long long>(overlong_at), kMaxLine);
        return 1;
    }
    if (!verifier.failed()) {
        verifier.add_unterminated(line);
    }
    const auto r = verifier.result();
    if (!r.ok) {
        std::printf("%s:%llu: broken chain: %s\n", path.c_str(),
                    static_cast<unsigned long long>(r.first_bad_line), r.reason.c_str());
        return 1;
    }
    std::printf("ok: %llu lines, chain intact", static_cast<unsigned long long>(r.lines));
    if (r.first_seq != 1) {
        std::printf(" (continues a chain from an earlier file: seq %llu..%llu)",
                    static_cast<unsigned long long>(r.first_seq),
                    static_cast<unsigned long long>(r.last_seq));
    }
    std::printf("\n");
    return 0;
}

}  // namespace

int run_audit(int argc, char** argv)
{
    // argv[0] is the program, argv[1] is "audit".
    if (argc >= 3 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (argc < 3 || std::string_view(argv[2]) != "verify") {
        std::fprintf(stderr, "meshgate audit: expected the subcommand \"verify\"\n\n%s", kUsage);
        return 2;
    }
    std::string path;
    for (int i = 3; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (a.size() > 1 && a.front() == '-' && a != "-") {
            std::fprintf(stderr, "meshgate audit verify: unknown option \"%s\"\n\n%s", argv[i],
                         kUsage);
            return 2;
        }
        if (!path.empty()) {
            std::fprintf(stderr, "meshgate audit verify: one FILE only\n\n%s", kUsage);
            return 2;
        }
        path = a;
    }
    if (path.empty()) {
        std::fprintf(stderr, "meshgate audit verify: missing FILE\n\n%s", kUsage);
        return 2;
    }
    return verify_file(path);
}

}  // namespace meshgate::cli
