// The subcommands of the meshgate binary; main.cpp dispatches on argv[1].
// Layer: proxy (edge). Each returns the process exit code and prints its own --help.
#pragma once

namespace meshgate::cli {

/// `meshgate serve --config F`: runs the daemon.                     (owner: session engineer)
int run_serve(int argc, char** argv);
/// `meshgate check --config F`: validates config and policies, lists every error.
int run_check(int argc, char** argv);
/// `meshgate explain --config F --user U [--purpose P] SQL`.
int run_explain(int argc, char** argv);
/// `meshgate test --config F [--live] CASES.yaml`: runs policy cases (proxy/cli/test_cases.cpp).
int run_test(int argc, char** argv);
/// `meshgate passwd`: password on stdin -> SCRAM-SHA-256 verifier on stdout.
int run_passwd(int argc, char** argv);

}  // namespace meshgate::cli
