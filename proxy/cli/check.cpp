// `meshgate check --config F [--live]`: loads and validates the configuration and policies,
// prints every error and warning, optionally checks the sources on the live backends.
// Layer: proxy (edge).
#include "config/load.hpp"
#include "policy/source_check.hpp"
#include "proxy/backend/column_learner.hpp"
#include "proxy/cli/commands.hpp"
#include "proxy/session/jwt_login.hpp"

// The policy engineer's validator (policy/validate.hpp) checks what the loader cannot: row
// filter columns, mask targets, federation... It is called when it exists in the tree.
#if __has_include("policy/validate.hpp")
#include "policy/validate.hpp"
#define MESHGATE_HAVE_POLICY_VALIDATE 1
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace meshgate::cli {
namespace {

constexpr const char* kUsage =
    "usage: meshgate check --config FILE [--live] [--timeout-ms N]\n"
    "\n"
    "Validates the configuration and every domain file, and prints each problem as\n"
    "FILE:LINE:COL: error|warning: message, then a summary line.\n"
    "\n"
    "options:\n"
    "  --config FILE     main configuration file (required)\n"
    "  --live            also connect to every backend with its service account and read\n"
    "                    the columns of each product's source; a missing source, a source\n"
    "                    the service account cannot read, an unreachable backend, or a source\n"
    "                    that no longer matches its domain file (a declared, masked or\n"
    "                    filtered column gone, a mask that does not suit a column's type) is an\n"
    "                    error naming the product, the column, the backend and who must act\n"
    "  --timeout-ms N    bound for each backend in --live mode (default 10000)\n"
    "  --help            this text\n"
    "\n"
    "exit status: 0 = no errors (warnings allowed), 1 = errors found, 2 = usage error\n"
    "\n"
    "example:\n"
    "  meshgate check --config /etc/meshgate/meshgate.yaml --live\n";

struct Options {
    std::string config;
    bool live = false;
    long timeout_ms = 10000;
};

// 0 = run, 1 = --help printed, 2 = usage error.
int parse(int argc, char** argv, Options& o)
{
    // argv[0] is the program, argv[1] is "check".
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 1;
        }
        if (a == "--live") {
            o.live = true;
        } else if (a == "--config" || a == "-c") {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "meshgate check: --config needs a value\n");
                return 2;
            }
            o.config = argv[++i];
        } else if (a.rfind("--config=", 0) == 0) {
            o.config = a.substr(9);
        } else if (a == "--timeout-ms") {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "meshgate check: --timeout-ms needs a value\n");
                return 2;
            }
            char* end = nullptr;
            o.timeout_ms = std::strtol(argv[++i], &end, 10);
            if (end == nullptr || *end != '\0' || o.timeout_ms <= 0 || o.timeout_ms > 600000) {
                std::fprintf(stderr, "meshgate check: --timeout-ms must be 1..600000\n");
                return 2;
            }
        } else {
            std::fprintf(stderr, "meshgate check: unknown argument \"%s\"\n\n%s", a.c_str(),
                         kUsage);
            return 2;
        }
    }
    if (o.config.empty()) {
        std::fprintf(stderr, "meshgate check: --config FILE is required\n\n%s", kUsage);
        return 2;
    }
    return 0;
}

std::string plural(std::size_t n, const char* word)
{
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

int run_check(int argc, char** argv)
{
    Options opt;
    if (int p = parse(argc, argv, opt); p != 0) {
        return p == 1 ? 0 : 2;
    }

    config::LoadResult loaded = config::load_config(opt.config);
    std::size_t errors = loaded.errors.size();
    std::size_t warnings = loaded.warnings.size();
    for (const auto& e : loaded.errors) {
        std::printf("%s\n", e.to_string().c_str());
    }
    for (const auto& w : loaded.warnings) {
        std::printf("%s\n", w.to_string().c_str());
    }
    if (!loaded.ok()) {
        std::printf("%s, %s\n", plural(errors, "error").c_str(),
                    plural(warnings, "warning").c_str());
        return 1;
    }
    config::Snapshot& snap = *loaded.snapshot;
    if (snap.jwt) {  // the JWKS is parsed as `serve` would (proxy/session/jwt_login.hpp)
        if (auto keys = proxy::load_jwks(snap); !keys) {
            std::printf("%s: error: %s\n", snap.jwt->jwks_file.c_str(),
                        keys.error().message.c_str());
            ++errors;
        }
    }

    if (opt.live) {
        // Problems found on the live backends are errors here: the check exists to prove the
        // configuration works against them.
        auto learned =
            proxy::learn_columns_blocking(snap, std::chrono::milliseconds(opt.timeout_ms));
        if (!learned) {
            std::printf("%s: error: %s\n", opt.config.c_str(), learned.error().message.c_str());
            ++errors;
        } else {
            // Each unavailable product at its place in its domain file, then what is left
            // (problems of a backend as a whole) at the main file.
            std::vector<std::string> reported;
            for (const auto& [dname, domain] : snap.domains) {
                for (const auto& [pname, product] : domain.products) {
                    if (product.unavailable.empty()) {
                        continue;
                    }
                    const Error e = policy::unavailable_error(product, snap);
                    const auto& at = product.origin.file.empty() ? domain.origin : product.origin;
                    std::printf("%s: error: %s\n",
                                at.file.empty() ? opt.config.c_str() : at.to_string().c_str(),
                                e.message.c_str());
                    reported.push_back(e.message);
                    ++errors;
                }
            }
            for (const auto& w : *learned) {
                if (std::find(reported.begin(), reported.end(), w) != reported.end()) {
                    continue;
                }
                std::printf("%s: error: %s\n", opt.config.c_str(), w.c_str());
                ++errors;
            }
        }
    }

#ifdef MESHGATE_HAVE_POLICY_VALIDATE
    for (const auto& e : policy::validate(snap)) {
        std::printf("%s\n", e.to_string().c_str());
        if (e.severity == config::ConfigError::Severity::Error) {
            ++errors;
        } else {
            ++warnings;
        }
    }
#else
    // TODO(backend): call policy::validate(snap) once policy/validate.hpp exists; until then
    // only the loader's checks run. #check-validate
#endif

    if (errors > 0) {
        std::printf("%s, %s\n", plural(errors, "error").c_str(),
                    plural(warnings, "warning").c_str());
        return 1;
    }
    std::size_t products = 0;
    for (const auto& [name, d] : snap.domains) {
        products += d.products.size();
    }
    std::printf("config OK: %s, %s, %s, %s", plural(snap.domains.size(), "domain").c_str(),
                plural(products, "product").c_str(), plural(snap.users.size(), "user").c_str(),
                plural(snap.backends.size(), "backend").c_str());
    if (warnings > 0) {
        std::printf(" (%s)", plural(warnings, "warning").c_str());
    }
    if (opt.live) {
        std::printf("; live: every source found");
    }
    std::printf("\n");
    return 0;
}

}  // namespace meshgate::cli
