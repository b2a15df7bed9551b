// RewriteCache: decide() once per statement shape and policy context, then splice each new
// statement's constants into the remembered rewrite. Layer: policy (pure: no clocks, no I/O;
// thread-safe, shared by every session).
#pragma once

#include "config/model.hpp"
#include "policy/decide.hpp"
#include "policy/decision.hpp"
#include "policy/identity.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace meshgate::policy {

/// How a statement went through the cache.
enum class CacheOutcome {
    Hit,       // a template matched; no parse, no walk
    Miss,      // a cacheable statement was decided (and its template stored when allowed)
    Uncached,  // not a cacheable kind (SET, SHOW, BEGIN, several statements, ...): decided
};

struct RewriteCacheLimits {
    size_t max_entries = 10000;
    size_t max_bytes = 64u * 1024 * 1024;   // keys + templates, roughly
    size_t max_statement = 16 * 1024;       // longer statements are decided, never stored
    size_t shards = 16;                     // independent locks
};

/// Soundness. A statement is stored only when
///  - it is one query statement (normalize_for_cache says cacheable),
///  - decide() of its key (constants replaced by `$k`, decided as a Parse would be) allows it as
///    exactly one plain Forward step (no SetLocal/ShowLocal, no transaction control), and
///  - decide() of the client's own text allows it too, with a rewrite whose tokens equal the
///    template's with the client's constants spliced in.
/// A literal then goes exactly where decide() accepted a bind parameter, which the extended
/// protocol can already send with any value. Constants whose value may matter to the policy
/// (reg* casts, settings and object-name functions, ORDER BY positions, typed literals) stay in
/// the key and are never spliced. A key that fails these checks is remembered as "always decide"
/// so it does not pay for three decisions each time. Denials are always decided from the
/// client's text, so error positions refer to what the client sent.
///
/// Entries are keyed on the key text, the protocol and the whole policy context (user, groups,
/// attributes, purpose, search_path) and belong to one snapshot: a newer snapshot generation
/// clears them; a statement still running on an older snapshot bypasses the cache.
class RewriteCache {
public:
    explicit RewriteCache(RewriteCacheLimits limits = {});
    ~RewriteCache();
    RewriteCache(const RewriteCache&) = delete;
    RewriteCache& operator=(const RewriteCache&) = delete;

    /// Same result as policy::decide(sql, who, snap, protocol) (with the spliced constants'
    /// spelling as the client wrote them).
    Decision decide(std::string_view sql, const Identity& who, const config::Snapshot& snap,
                    Protocol protocol, CacheOutcome* outcome = nullptr);

    uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
    uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
    uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
    /// Entries stored now (templates and "always decide" marks).
    size_t size() const;
    /// Drops every entry.
    void clear();

    const RewriteCacheLimits& limits() const { return limits_; }

private:
    struct Shard;
    struct Entry;
    RewriteCacheLimits limits_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<uint64_t> hits_{0};
    std::atomic<uint64_t> misses_{0};
    std::atomic<uint64_t> evictions_{0};
};

}  // namespace meshgate::policy
