// meshgate command line: serve, check, explain, passwd, test, audit verify.
// Layer: proxy (edge). Exceptions are caught here and set the exit code.
#include "proxy/cli/audit_command.hpp"
#include "proxy/cli/commands.hpp"

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#ifndef MESHGATE_VERSION
#define MESHGATE_VERSION "dev"
#endif

namespace {

constexpr const char* kUsage =
    "usage: meshgate <command> [options]\n"
    "\n"
    "A PostgreSQL-wire governance proxy for a data mesh.\n"
    "\n"
    "commands:\n"
    "  serve --config F                      run the proxy\n"
    "  check --config F                      validate the configuration and policies\n"
    "  explain --config F --user U [--purpose P] SQL\n"
    "                                        show the decision and the rewritten SQL\n"
    "  test --config F [--live] CASES.yaml   run policy cases (expected decisions, rows)\n"
    "  passwd                                read a password on stdin, print its SCRAM verifier\n"
    "  audit verify FILE                     check the audit log's hash chain\n"
    "\n"
    "  --help                                this text\n"
    "  --version                             the version\n"
    "\n"
    "Run `meshgate <command> --help` for the options of a command.\n";

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string cmd = argv[1];
    if (cmd == "--version" || cmd == "-V" || cmd == "version") {
        std::printf("meshgate %s\n", MESHGATE_VERSION);
        return 0;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    try {
        if (cmd == "serve") {
            return meshgate::cli::run_serve(argc, argv);
        }
        if (cmd == "check") {
            return meshgate::cli::run_check(argc, argv);
        }
        if (cmd == "explain") {
            return meshgate::cli::run_explain(argc, argv);
        }
        if (cmd == "test") {
            return meshgate::cli::run_test(argc, argv);
        }
        if (cmd == "passwd") {
            return meshgate::cli::run_passwd(argc, argv);
        }
        if (cmd == "audit") {
            return meshgate::cli::run_audit(argc, argv);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "meshgate %s: %s\n", cmd.c_str(), e.what());
        return 1;
    } catch (...) {
        std::fprintf(stderr, "meshgate %s: unknown error\n", cmd.c_str());
        return 1;
    }
    std::fprintf(stderr, "meshgate: unknown command \"%s\"\n\n%s", cmd.c_str(), kUsage);
    return 2;
}
