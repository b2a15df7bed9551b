// Function denylist and allowlist. Layer: policy (pure).
#include "policy/function_policy.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace meshgate::policy {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = char(c - 'A' + 'a');
        }
    }
    return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

bool is_denied_catalog_function(std::string_view raw)
{
    // Compared in lower case: a quoted mixed-case name cannot reach these functions anyway, and
    // refusing it costs nothing.
    const auto name = lower(raw);
    static constexpr std::array<std::string_view, 31> kPrefixes = {
        "pg_read_",          // pg_read_file, pg_read_binary_file
        "pg_ls_",            // directory listings
        "pg_stat_",          // pg_stat_file, pg_stat_get_* (other sessions), pg_stat_reset*
        "pg_file_",          // adminpack writers
        "lo_",               // large objects
        "dblink",            // other databases
        "query_to_xml",      // run SQL given as a string
        "table_to_xml",      "schema_to_xml", "database_to_xml", "cursor_to_xml",
        "pg_sleep",          // refused outright (documented choice)
        "pg_advisory_",      "pg_try_advisory_",
        "pg_logical_",       "pg_replication_", "pg_create_", "pg_drop_", "pg_copy_",
        "pg_backup_",        "pg_wal_replay_",
        "pg_log_",           // pg_log_backend_memory_contexts
        "binary_upgrade_",   "pg_hba_", "pg_ident_",
        "pg_terminate_",     "pg_cancel_",
        "pg_current_xact_id", "txid_current",   // assign a transaction id (a write)
        "pg_import_",        "pg_extension_"};
    for (auto p : kPrefixes) {
        if (starts_with(name, p)) {
            return true;
        }
    }
    static constexpr std::array<std::string_view, 25> kExact = {
        "set_config",     "pg_reload_conf",  "pg_switch_wal",  "pg_promote",
        "setval",         "nextval",         "currval",        "lastval",
        "ts_stat",        "ts_rewrite",      // both run SQL given as a string
        "currtid",        "currtid2",        // read a table by name
        "pg_notify",      "pg_export_snapshot", "pg_rotate_logfile", "pg_current_logfile",
        "pg_start_backup", "pg_stop_backup", "loread",        "lowrite",
        "pg_show_all_file_settings", "pg_nextoid",
        // The text of the running statement is the rewritten SQL: policy expressions and the
        // keyed-hash key material. Same for the functions behind pg_prepared_statements and
        // pg_cursors.
        "current_query",  "pg_prepared_statement", "pg_cursor"};
    if (std::find(kExact.begin(), kExact.end(), name) != kExact.end()) {
        return true;
    }
    return is_object_name_io_function(name);
}

bool is_object_name_io_function(std::string_view raw)
{
    // The reg* types' I/O functions (regclassin('public.payouts'), regclassout(16386)) and the
    // regclass(text) conversion look a name up along the service account's search_path or print
    // a warehouse's object name; pg_get_object_address resolves any object name. The casts and
    // to_reg* functions are guarded instead (policy/oid_guard.hpp). Also refused: the index
    // maintenance functions that take a regclass and write.
    const auto name = lower(raw);
    static constexpr std::array<std::string_view, 11> kRegTypes = {
        "regclass", "regtype",      "regproc",   "regprocedure", "regoper", "regoperator",
        "regnamespace", "regrole", "regcollation", "regconfig",   "regdictionary"};
    static constexpr std::array<std::string_view, 4> kSuffixes = {"in", "out", "recv", "send"};
    for (auto t : kRegTypes) {
        if (name == "regclass" && t == "regclass") {
            return true;
        }
        for (auto s : kSuffixes) {
            if (name.size() == t.size() + s.size() && starts_with(name, t) &&
                name.substr(t.size()) == s) {
                return true;
            }
        }
    }
    static constexpr std::array<std::string_view, 5> kOther = {
        "pg_get_object_address", "brin_summarize_new_values", "brin_summarize_range",
        "brin_desummarize_range", "gin_clean_pending_list"};
    return std::find(kOther.begin(), kOther.end(), name) != kOther.end();
}

bool is_expandarray(const std::vector<std::string_view>& names)
{
    return names.size() == 2 && names[0] == "information_schema" && names[1] == "_pg_expandarray";
}

Result<void> check_function(const std::vector<std::string_view>& names,
                            const config::Snapshot& snap, int position)
{
    if (is_expandarray(names)) {
        return {};
    }
    std::string written;
    for (auto n : names) {
        written += written.empty() ? std::string(n) : "." + std::string(n);
    }
    if (names.empty() || names.size() > 2) {
        return make_error("42501", "permission denied for function " + written, position);
    }
    const auto name = names.back();
    if (names.size() == 1 || names[0] == "pg_catalog") {
        if (is_denied_catalog_function(name)) {
            return make_error("42501",
                              "permission denied for function " + written +
                                  " (it touches files, settings, other sessions or databases, "
                                  "runs SQL text, waits or writes)",
                              position);
        }
        return {};
    }
    const auto qualified = std::string(names[0]) + "." + std::string(name);
    if (std::find(snap.allowed_functions.begin(), snap.allowed_functions.end(), qualified) !=
        snap.allowed_functions.end()) {
        return {};
    }
    return make_error("42501",
                      "permission denied for function " + written +
                          " (functions outside pg_catalog must be listed in allowed_functions)",
                      position);
}

}  // namespace meshgate::policy
