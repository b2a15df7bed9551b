// RAII owners for every C result libpg_query and protobuf-c hand out (parse, scan, deparse,
// unpacked trees). Layer: policy/sql (the only place libpg_query types may appear).
#pragma once

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace meshgate::policy::sql {

/// Owns a PgQueryProtobufParseResult; freed with pg_query_free_protobuf_parse_result on every path.
class ProtobufParse {
public:
    explicit ProtobufParse(const char* text) : r_(pg_query_parse_protobuf(text)) {}
    ~ProtobufParse() { pg_query_free_protobuf_parse_result(r_); }
    ProtobufParse(const ProtobufParse&) = delete;
    ProtobufParse& operator=(const ProtobufParse&) = delete;
    const PgQueryProtobufParseResult& get() const { return r_; }

private:
    PgQueryProtobufParseResult r_;
};

/// Owns a PgQueryScanResult.
class Scan {
public:
    explicit Scan(const char* text) : r_(pg_query_scan(text)) {}
    ~Scan() { pg_query_free_scan_result(r_); }
    Scan(const Scan&) = delete;
    Scan& operator=(const Scan&) = delete;
    const PgQueryScanResult& get() const { return r_; }

private:
    PgQueryScanResult r_;
};

/// Owns a PgQueryDeparseResult.
class Deparse {
public:
    explicit Deparse(PgQueryProtobuf tree) : r_(pg_query_deparse_protobuf(tree)) {}
    ~Deparse() { pg_query_free_deparse_result(r_); }
    Deparse(const Deparse&) = delete;
    Deparse& operator=(const Deparse&) = delete;
    const PgQueryDeparseResult& get() const { return r_; }

private:
    PgQueryDeparseResult r_;
};

/// Owns a PgQueryParseResult (JSON parse; used only to check that text parses).
class JsonParse {
public:
    explicit JsonParse(const char* text) : r_(pg_query_parse(text)) {}
    ~JsonParse() { pg_query_free_parse_result(r_); }
    JsonParse(const JsonParse&) = delete;
    JsonParse& operator=(const JsonParse&) = delete;
    const PgQueryParseResult& get() const { return r_; }

private:
    PgQueryParseResult r_;
};

struct ParseTreeFree {
    void operator()(PgQuery__ParseResult* p) const { pg_query__parse_result__free_unpacked(p, nullptr); }
};
struct ScanTreeFree {
    void operator()(PgQuery__ScanResult* p) const { pg_query__scan_result__free_unpacked(p, nullptr); }
};
struct NodeFree {
    void operator()(PgQuery__Node* p) const { pg_query__node__free_unpacked(p, nullptr); }
};

/// An unpacked parse tree. Everything attached to it must be malloc/strdup memory, because
/// free_unpacked calls free() on every submessage and string.
using ParseTree = std::unique_ptr<PgQuery__ParseResult, ParseTreeFree>;
using ScanTree = std::unique_ptr<PgQuery__ScanResult, ScanTreeFree>;
using NodePtr = std::unique_ptr<PgQuery__Node, NodeFree>;

/// Unpacks a successful protobuf parse; nullptr when protobuf-c refuses (out of memory).
inline ParseTree unpack(const ProtobufParse& parse)
{
    const auto& pb = parse.get().parse_tree;
    return ParseTree(pg_query__parse_result__unpack(
        nullptr, pb.len, reinterpret_cast<const uint8_t*>(pb.data)));
}

inline ScanTree unpack(const Scan& scan)
{
    const auto& pb = scan.get().pbuf;
    return ScanTree(
        pg_query__scan_result__unpack(nullptr, pb.len, reinterpret_cast<const uint8_t*>(pb.data)));
}

/// malloc'd zero-initialised protobuf message, initialised with its INIT value; nullptr on OOM.
template <class T>
T* make_message(const T& init)
{
    auto* p = static_cast<T*>(std::malloc(sizeof(T)));
    if (p != nullptr) {
        *p = init;
    }
    return p;
}

/// strdup that never returns a pointer to protobuf_c_empty_string; nullptr on OOM.
inline char* dup_string(std::string_view s)
{
    auto* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (p != nullptr) {
        std::memcpy(p, s.data(), s.size());
        p[s.size()] = '\0';
    }
    return p;
}

/// Text of a C string field that may be NULL.
inline std::string_view str(const char* s) { return s == nullptr ? std::string_view{} : std::string_view{s}; }

}  // namespace meshgate::policy::sql
