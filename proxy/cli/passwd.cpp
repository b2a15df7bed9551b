// `meshgate passwd`: reads a password on stdin and prints its SCRAM-SHA-256 verifier for the
// `users:` section. Layer: proxy (edge).
#include "auth/random.hpp"
#include "auth/scram_verifier.hpp"
#include "proxy/cli/commands.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace meshgate::cli {
namespace {

constexpr const char* kUsage =
    "usage: meshgate passwd [--iterations N]\n"
    "\n"
    "Reads one line from stdin (without echo when stdin is a terminal) and prints its\n"
    "SCRAM-SHA-256 verifier, with a random 16-byte salt, for a user's `password:` in the\n"
    "configuration. The password itself is never printed or stored. An empty password is\n"
    "refused.\n"
    "\n"
    "options:\n"
    "  --iterations N   PBKDF2 iterations (default 4096, PostgreSQL's default; 4096..1000000)\n"
    "  --help           this text\n"
    "\n"
    "example:\n"
    "  meshgate passwd            # type the password, press Enter\n"
    "  printf '%s\\n' \"$PW\" | meshgate passwd\n";

// Longest accepted line; a password longer than this is almost certainly a mistake (a file
// piped in by accident), and the line is not read further.
constexpr std::size_t kMaxPassword = 1024;

// Turns terminal echo off for its lifetime when stdin is a terminal.
class NoEcho {
public:
    NoEcho()
    {
        if (isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved_) == 0) {
            termios quiet = saved_;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            quiet.c_lflag |= ECHONL;
            active_ = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
        }
    }
    ~NoEcho()
    {
        if (active_) {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
        }
    }
    NoEcho(const NoEcho&) = delete;
    NoEcho& operator=(const NoEcho&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

// Overwrites a buffer that held the password (best effort: std::string may have copied it).
void wipe(std::string& s)
{
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i) {
        p[i] = 0;
    }
    s.clear();
}

}  // namespace

int run_passwd(int argc, char** argv)
{
    int iterations = auth::kScramDefaultIterations;
    // argv[0] is the program, argv[1] is "passwd".
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (a == "--iterations" && i + 1 < argc) {
            char* end = nullptr;
            const long n = std::strtol(argv[++i], &end, 10);
            if (end == nullptr || *end != '\0' || n < 4096 || n > 1000000) {
                std::fprintf(stderr, "meshgate passwd: --iterations must be 4096..1000000\n");
                return 2;
            }
            iterations = static_cast<int>(n);
            continue;
        }
        std::fprintf(stderr, "meshgate passwd: unknown argument \"%s\"\n\n%s", a.c_str(), kUsage);
        return 2;
    }

    const bool tty = isatty(STDIN_FILENO) == 1;
    std::string password;
    bool too_long = false;
    bool got_line = false;
    {
        NoEcho quiet;
        if (tty) {
            std::fputs("Password: ", stderr);
            std::fflush(stderr);
        }
        int c = 0;
        while ((c = std::getchar()) != EOF) {
            got_line = true;
            if (c == '\n') {
                break;
            }
            if (password.size() >= kMaxPassword) {
                too_long = true;
                break;
            }
            password.push_back(static_cast<char>(c));
        }
    }
    // A line typed on Windows or pasted from one ends in CR LF: the CR is not part of it.
    if (!password.empty() && password.back() == '\r') {
        password.pop_back();
    }
    if (too_long) {
        wipe(password);
        std::fprintf(stderr, "meshgate passwd: password longer than %zu bytes; refused\n",
                     kMaxPassword);
        return 1;
    }
    if (!got_line || password.empty()) {
        std::fprintf(stderr, "meshgate passwd: empty password; refused\n");
        return 1;
    }
    const auto verifier = auth::make_scram_verifier(
        password, auth::random_bytes(auth::kScramDefaultSaltLength), iterations);
    wipe(password);
    std::printf("%s\n", verifier.to_string().c_str());
    return 0;
}

}  // namespace meshgate::cli
