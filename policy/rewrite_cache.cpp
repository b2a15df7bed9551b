// Rewrite cache: sharded LRU of statement templates per policy context. Layer: policy (pure).
#include "policy/rewrite_cache.hpp"

#include "policy/sql/normalize.hpp"

#include <algorithm>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>

namespace meshgate::policy {

struct RewriteCache::Entry {
    bool bypass = true;          // always decide this key afresh
    size_t literals = 0;         // constants the template takes
    sql::SqlTemplate tmpl;
    Allow allow;                 // everything but the steps
    size_t bytes = 0;
};

struct RewriteCache::Shard {
    std::mutex mutex;
    bool bound = false;                       // generation/snap belong to a snapshot
    uint64_t generation = 0;
    const config::Snapshot* snap = nullptr;   // identity only, never dereferenced
    using Lru = std::list<std::pair<std::string, std::shared_ptr<const Entry>>>;
    Lru lru;                                  // front = most recently used
    std::unordered_map<std::string_view, Lru::iterator> index;  // views into lru keys
    size_t bytes = 0;

    void clear()
    {
        index.clear();
        lru.clear();
        bytes = 0;
    }

    /// False when `snap` is older than what this shard holds (a statement still running on a
    /// snapshot a reload replaced): such lookups bypass the cache. A newer snapshot clears it.
    bool adopt(const config::Snapshot& s)
    {
        if (bound && s.generation < generation) {
            return false;
        }
        if (!bound || s.generation != generation || &s != snap) {
            clear();
            bound = true;
            generation = s.generation;
            snap = &s;
        }
        return true;
    }
};

namespace {

void put(std::string& k, std::string_view s)
{
    k += std::to_string(s.size());
    k += ':';
    k += s;
}

/// An injective encoding of everything besides the statement that decide() reads from the
/// identity, plus the protocol and the key text.
// Everything decide() reads from an Identity must be in the key. A new Identity member changes
// its size: add it to full_key() below, then update this number.
static_assert(sizeof(Identity) == 168,
              "policy::Identity changed: add the new member to RewriteCache's full_key()");

std::string full_key(const sql::CacheKey& ck, const Identity& who, Protocol protocol)
{
    std::string k;
    k.reserve(ck.text.size() + who.user.size() + 64);
    k += protocol == Protocol::Simple ? 'S' : 'E';
    put(k, who.user);
    k += 'g' + std::to_string(who.groups.size());
    for (const auto& g : who.groups) {
        put(k, g);
    }
    k += 'a' + std::to_string(who.attributes.size());
    for (const auto& [name, value] : who.attributes) {
        put(k, name);
        if (const auto* s = std::get_if<std::string>(&value)) {
            k += 's';
            put(k, *s);
        } else {
            const auto& list = std::get<std::vector<std::string>>(value);
            k += 'l' + std::to_string(list.size());
            for (const auto& v : list) {
                put(k, v);
            }
        }
    }
    if (who.purpose) {
        k += 'p';
        put(k, *who.purpose);
    } else {
        k += 'n';
    }
    k += 'r' + std::to_string(who.search_path.size());
    for (const auto& d : who.search_path) {
        put(k, d);
    }
    // The key text alone cannot tell the client's `$1` from a placeholder: `x = 5` and (simple
    // protocol) `x = $1` both read `x = $1`. The numbering and the count settle it.
    k += 'f' + std::to_string(ck.first_placeholder) + 'n' + std::to_string(ck.literals.size());
    k += 'q';
    put(k, ck.text);
    return k;
}

const Forward* single_forward(const Decision& d)
{
    if (!d.is_allow() || d.allow().steps.size() != 1) {
        return nullptr;
    }
    const auto* f = std::get_if<Forward>(&d.allow().steps.front());
    return f != nullptr && !f->transaction_control ? f : nullptr;
}

bool same_policies(const Allow& a, const Allow& b)
{
    if (a.policies.size() != b.policies.size() || a.catalog_only != b.catalog_only) {
        return false;
    }
    for (size_t i = 0; i < a.policies.size(); ++i) {
        if (a.policies[i].name != b.policies[i].name || a.policies[i].product != b.policies[i].product ||
            a.policies[i].kind != b.policies[i].kind) {
            return false;
        }
    }
    return true;
}

size_t allow_bytes(const Allow& a)
{
    size_t n = sizeof(Allow) + a.backend.size();
    for (const auto& p : a.products) {
        n += p.size() + 32;
    }
    for (const auto& p : a.policies) {
        n += p.name.size() + p.kind.size() + p.product.size() + p.origin.size() + 128;
    }
    return n;
}

}  // namespace

RewriteCache::RewriteCache(RewriteCacheLimits limits) : limits_(limits)
{
    if (limits_.shards == 0) {
        limits_.shards = 1;
    }
    shards_.reserve(limits_.shards);
    for (size_t i = 0; i < limits_.shards; ++i) {
        shards_.push_back(std::make_unique<Shard>());
    }
}

RewriteCache::~RewriteCache() = default;

size_t RewriteCache::size() const
{
    size_t n = 0;
    for (const auto& s : shards_) {
        std::lock_guard lock(s->mutex);
        n += s->lru.size();
    }
    return n;
}

void RewriteCache::clear()
{
    for (const auto& s : shards_) {
        std::lock_guard lock(s->mutex);
        s->clear();
    }
}

Decision RewriteCache::decide(std::string_view sql, const Identity& who,
                              const config::Snapshot& snap, Protocol protocol,
                              CacheOutcome* outcome)
{
    auto set_outcome = [&](CacheOutcome o) {
        if (outcome != nullptr) {
            *outcome = o;
        }
    };
    if (limits_.max_entries == 0 || sql.size() > limits_.max_statement) {
        set_outcome(CacheOutcome::Uncached);
        return policy::decide(sql, who, snap, protocol);
    }
    const sql::CacheKey ck = sql::normalize_for_cache(sql);
    if (!ck.cacheable) {
        set_outcome(CacheOutcome::Uncached);
        return policy::decide(sql, who, snap, protocol);
    }
    std::string key = full_key(ck, who, protocol);
    Shard& shard = *shards_[std::hash<std::string>{}(key) % shards_.size()];
    std::shared_ptr<const Entry> found;
    bool stale = false;
    {
        std::lock_guard lock(shard.mutex);
        if (!shard.adopt(snap)) {
            stale = true;
        } else if (auto it = shard.index.find(key); it != shard.index.end()) {
            shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
            found = it->second->second;
        }
    }
    if (found && !found->bypass && found->literals == ck.literals.size()) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        set_outcome(CacheOutcome::Hit);
        Allow a = found->allow;
        a.steps.emplace_back(Forward{sql::splice(found->tmpl, ck.literals), false});
        return a;
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    set_outcome(CacheOutcome::Miss);
    Decision original = policy::decide(sql, who, snap, protocol);
    if (stale || found) {
        return original;  // an older snapshot, or a key known to need deciding every time
    }

    auto entry = std::make_shared<Entry>();
    if (const Forward* orig = single_forward(original)) {
        // The key is decided as a Parse would be: its placeholders are bind parameters.
        const Decision keyed = policy::decide(ck.text, who, snap, Protocol::Extended);
        const Forward* fwd = single_forward(keyed);
        sql::SqlTemplate t;
        if (fwd != nullptr &&
            sql::make_template(fwd->sql, ck.first_placeholder, ck.literals.size(), t) &&
            keyed.allow().backend == original.allow().backend &&
            keyed.allow().products == original.allow().products &&
            same_policies(keyed.allow(), original.allow()) &&
            sql::same_statement(sql::splice(t, ck.literals), orig->sql)) {
            entry->bypass = false;
            entry->literals = ck.literals.size();
            entry->tmpl = std::move(t);
            entry->allow = original.allow();
            entry->allow.steps.clear();
        }
    }
    entry->bytes = 2 * key.size() + 128 + (entry->bypass ? 0 : allow_bytes(entry->allow));
    for (const auto& p : entry->tmpl.pieces) {
        entry->bytes += p.size() + 32;
    }

    const size_t max_entries = std::max<size_t>(1, limits_.max_entries / shards_.size());
    const size_t max_bytes = std::max<size_t>(1, limits_.max_bytes / shards_.size());
    if (entry->bytes > max_bytes) {
        return original;
    }
    std::lock_guard lock(shard.mutex);
    if (!shard.adopt(snap) || shard.index.count(key) != 0) {
        return original;  // a reload came between, or another session stored it first
    }
    shard.lru.emplace_front(std::move(key), entry);
    shard.index.emplace(shard.lru.front().first, shard.lru.begin());
    shard.bytes += entry->bytes;
    while (shard.lru.size() > max_entries || shard.bytes > max_bytes) {
        auto& last = shard.lru.back();
        shard.bytes -= last.second->bytes;
        shard.index.erase(last.first);
        shard.lru.pop_back();
        evictions_.fetch_add(1, std::memory_order_relaxed);
    }
    return original;
}

}  // namespace meshgate::policy
