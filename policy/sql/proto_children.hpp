// for_each_child(): the one walk over a protobuf-c message's child messages, shared by every pass
// that descends a libpg_query tree generically. Layer: policy/sql.
#pragma once

#include <protobuf-c/protobuf-c.h>

#include <cstddef>
#include <cstdint>

namespace meshgate::policy::sql {

/// Calls `visit(slot)` for each child message of `m` that is set: every message field, each
/// element of a repeated one, and of a oneof only its active member (the others' pointers alias
/// it). `slot` is a `ProtobufCMessage*&`, so a visitor may replace the child in place (and may see
/// null for an unset field). Stops and returns false as soon as `visit` returns false.
template <class Visit>
bool for_each_child(ProtobufCMessage* m, Visit&& visit)
{
    const auto* d = m->descriptor;
    auto* base = reinterpret_cast<char*>(m);
    for (unsigned i = 0; i < d->n_fields; ++i) {
        const auto& f = d->fields[i];
        if (f.type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        if ((f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
            *reinterpret_cast<uint32_t*>(base + f.quantifier_offset) != f.id) {
            continue;
        }
        if (f.label == PROTOBUF_C_LABEL_REPEATED) {
            const size_t n = *reinterpret_cast<size_t*>(base + f.quantifier_offset);
            auto** items = *reinterpret_cast<ProtobufCMessage***>(base + f.offset);
            for (size_t k = 0; k < n; ++k) {
                if (!visit(items[k])) {
                    return false;
                }
            }
        } else if (!visit(*reinterpret_cast<ProtobufCMessage**>(base + f.offset))) {
            return false;
        }
    }
    return true;
}

}  // namespace meshgate::policy::sql
