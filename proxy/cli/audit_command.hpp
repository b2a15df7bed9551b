// The `meshgate audit` subcommand; main.cpp dispatches "audit" here. Layer: proxy (edge).
#pragma once

namespace meshgate::cli {

/// `meshgate audit verify FILE` (FILE "-" = stdin): checks the audit log's hash chain (SPEC §6).
/// Prints `ok: N lines, chain intact` and returns 0, or `FILE:LINE: broken chain: REASON` for
/// the first broken line and returns 1; 2 for a usage error or a file that cannot be read.
/// argv[0] is the program, argv[1] is "audit".
int run_audit(int argc, char** argv);

}  // namespace meshgate::cli
