// InputBuffer: bytes read from a peer and not yet consumed, growable only on request.
// Layer: proxy (I/O edge; pure apart from being used with sockets).
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace meshgate::proxy {

/// A contiguous read buffer. Callers read into `prepare()`, `commit()` what arrived, parse
/// `view()` and `consume()` what they used. Capacity grows only as far as `prepare(min_free)`
/// asks, so a caller that checks a length field against its limit first never allocates more.
class InputBuffer {
public:
    explicit InputBuffer(std::size_t initial = 16 * 1024) : data_(initial, '\0') {}

    std::string_view view() const { return {data_.data() + begin_, end_ - begin_}; }
    std::size_t size() const { return end_ - begin_; }
    bool empty() const { return end_ == begin_; }

    void consume(std::size_t n)
    {
        begin_ += n < size() ? n : size();
        if (begin_ == end_) {
            begin_ = end_ = 0;
        }
    }

    /// Free space of at least `min_free` bytes after the data (moving the data to the front
    /// or growing as needed); returns where to read into and how much room there is.
    char* prepare(std::size_t min_free, std::size_t& room)
    {
        if (data_.size() - end_ < min_free) {
            if (begin_ > 0) {
                std::memmove(data_.data(), data_.data() + begin_, end_ - begin_);
                end_ -= begin_;
                begin_ = 0;
            }
            if (data_.size() - end_ < min_free) {
                data_.resize(end_ + min_free);
            }
        }
        room = data_.size() - end_;
        return data_.data() + end_;
    }

    void commit(std::size_t n) { end_ += n; }

    /// Gives back memory after a large message, keeping `keep` bytes of capacity.
    void shrink(std::size_t keep = 64 * 1024)
    {
        if (data_.size() > keep && size() <= keep) {
            std::string fresh(keep, '\0');
            fresh.replace(0, size(), view());
            end_ = size();
            begin_ = 0;
            data_ = std::move(fresh);
        }
    }

private:
    std::string data_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace meshgate::proxy
