// Which functions a statement may call (SPEC §3 Functions). Layer: policy (pure).
#pragma once

#include "common/error.hpp"
#include "config/model.hpp"

#include <string_view>
#include <vector>

namespace meshgate::policy {

/// Checks a call of the function named by `names` (the parser's 1–3 parts). pg_catalog and
/// unqualified functions pass unless denylisted (files, large objects, other databases, settings,
/// SQL given as a string, signals, sleeps, advisory locks, sequences, WAL/replication/backup,
/// anything that writes); `pg_sleep*` is refused outright, since no client needs a proxy to wait.
/// Other schemas pass only when `schema.function` is in `snap.allowed_functions`.
/// Refusal: 42501 naming the function, at `position` (1-based, 0 = none).
Result<void> check_function(const std::vector<std::string_view>& names,
                            const config::Snapshot& snap, int position = 0);

/// True for `information_schema._pg_expandarray` (array elements with their positions), which
/// pgjdbc's metadata queries call; it passes like a pg_catalog function.
bool is_expandarray(const std::vector<std::string_view>& names);

/// True when a pg_catalog / unqualified function name is on the denylist.
bool is_denied_catalog_function(std::string_view name);

/// True for the reg* types' I/O functions (`regclassin`, `regtypeout`, ...), `regclass(text)`,
/// `pg_get_object_address` and the regclass-taking index maintenance writers: they name or
/// resolve a warehouse's objects where no guard can stand between (part of the denylist).
bool is_object_name_io_function(std::string_view name);

}  // namespace meshgate::policy
