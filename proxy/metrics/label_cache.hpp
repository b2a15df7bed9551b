// LabelCache: metric children cached by a label value, so hot paths skip prometheus-cpp's
// label-map lookup (which builds a std::map per call). Layer: proxy (metrics).
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace meshgate::proxy {

/// For each value of one label (a backend, a domain, ...), N metric children (one per value of a
/// second, closed label such as a decision). Lookups of known values take a shared lock and
/// build no string. After `max_values` distinct values, further ones share the `overflow`
/// value's children, which bounds the series count whatever the callers pass in.
template <class T, std::size_t N>
class LabelCache {
public:
    using Children = std::array<T*, N>;
    /// `make(value)` creates the N children for a label value (called once per value).
    LabelCache(std::function<Children(const std::string&)> make, std::size_t max_values = 1000,
               std::string overflow = "other")
        : make_(std::move(make)), max_values_(max_values), overflow_(std::move(overflow))
    {
    }

    const Children& get(std::string_view value)
    {
        {
            std::shared_lock lock(mutex_);
            if (auto it = map_.find(value); it != map_.end()) {
                return it->second;
            }
        }
        std::unique_lock lock(mutex_);
        if (auto it = map_.find(value); it != map_.end()) {
            return it->second;
        }
        std::string key(value);
        if (map_.size() >= max_values_) {
            key = overflow_;
            if (auto it = map_.find(std::string_view(key)); it != map_.end()) {
                return it->second;
            }
        }
        // unordered_map never moves its nodes, so the returned reference stays valid.
        return map_.emplace(key, make_(key)).first->second;
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const
        {
            return std::hash<std::string_view>{}(s);
        }
    };

    std::function<Children(const std::string&)> make_;
    std::size_t max_values_;
    std::string overflow_;
    std::shared_mutex mutex_;
    std::unordered_map<std::string, Children, Hash, std::equal_to<>> map_;
};

}  // namespace meshgate::proxy
