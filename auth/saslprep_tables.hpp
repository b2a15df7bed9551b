// Unicode data for SASLprep (RFC 3454 tables, Unicode 3.2) and NFKC (Unicode 14.0.0), generated
// by auth/saslprep_tables_gen.py into auth/saslprep_tables.cpp. Layer: auth (pure data).
#pragma once

#include <cstdint>
#include <span>

namespace meshgate::auth::saslprep_tables {

/// Inclusive code point range; tables are sorted and disjoint.
struct CodeRange {
    char32_t first;
    char32_t last;
};

/// Run of code points sharing a non-zero canonical combining class.
struct CombiningClass {
    char32_t first;
    char32_t last;
    std::uint8_t ccc;
};

/// Full compatibility decomposition of `code`: kDecompositionData[offset, offset + length).
struct Decomposition {
    char32_t code;
    std::uint32_t offset;
    std::uint8_t length;
};

/// Canonical composition of the pair (first, second), sorted by (first, second).
struct Composition {
    char32_t first;
    char32_t second;
    char32_t composite;
};

extern const std::span<const CodeRange> kNonAsciiSpace;    // RFC 3454 C.1.2
extern const std::span<const CodeRange> kMappedToNothing;  // RFC 3454 B.1
extern const std::span<const CodeRange> kProhibited;       // C.1.2, C.2.1-C.9 (RFC 4013 §2.3)
extern const std::span<const CodeRange> kUnassigned;       // RFC 3454 A.1
extern const std::span<const CodeRange> kRandAL;           // RFC 3454 D.1
extern const std::span<const CodeRange> kL;                // RFC 3454 D.2
extern const std::span<const CombiningClass> kCombiningClass;
extern const std::span<const char32_t> kDecompositionData;
extern const std::span<const Decomposition> kDecomposition;
extern const std::span<const Composition> kComposition;

}  // namespace meshgate::auth::saslprep_tables
