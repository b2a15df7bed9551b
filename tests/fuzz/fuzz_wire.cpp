// libFuzzer harness for the wire codec: startup packets, tagged framing and every typed decoder.
// Whatever decodes is re-encoded and must decode to the same value (and, where the decoder reads
// every byte, to the same bytes). Layer: tests of proxy/wire.
#include "proxy/wire/messages.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

using namespace meshgate::wire;

namespace {

constexpr uint32_t kMaxMessage = 1u << 20;

[[noreturn]] void fail(const char* what)
{
    std::fprintf(stderr, "fuzz_wire: %s\n", what);
    std::abort();
}

// Re-encodes `m`, frames it again and decodes the body with `decode`: the result must equal
// `m`, and when `canonical` the new body must equal `body` byte for byte.
template <class T, class Decode>
void check_reencode(const T& m, Decode decode, std::string_view body, bool canonical)
{
    std::string out;
    encode(m, out);
    const auto framed = decode_message(out, 0x7fffffffu);
    const auto* f = std::get_if<Frame<RawMessage>>(&framed);
    if (f == nullptr || f->consumed != out.size()) {
        fail("a re-encoded message is not one whole frame");
    }
    const auto again = decode(f->message.body);
    if (!again) {
        fail("a re-encoded message does not decode");
    }
    if (!(*again == m)) {
        fail("a re-encoded message decodes to something else");
    }
    if (canonical && f->message.body != body) {
        fail("a re-encoded message has different bytes");
    }
}

template <class Decode>
void check_body(Decode decode, std::string_view body, bool canonical = true)
{
    const auto d = decode(body);
    if (!d) {
        if (d.error().sqlstate != "08P01" || d.error().message.empty()) {
            fail("a decoder failed without 08P01 and a message");
        }
        return;
    }
    check_reencode(*d, decode, body, canonical);
}

// Every decoder that can meet `tag`, in either direction.
void decode_typed(char tag, std::string_view body)
{
    switch (tag) {
        case 'Q':
            check_body(decode_query, body);
            break;
        case 'P':
            check_body(decode_parse, body);
            break;
        case 'B':
            check_body(decode_bind, body);
            break;
        case 'D':
            check_body(decode_describe, body);
            check_body(decode_data_row, body);
            break;
        case 'E':
            check_body(decode_execute, body);
            check_body(decode_error_response, body);
            break;
        case 'C':
            check_body(decode_close, body);
            check_body(decode_command_complete, body);
            break;
        case 'S':
            check_body(decode_sync, body);
            check_body(decode_parameter_status, body);
            break;
        case 'H':
            check_body(decode_flush, body);
            check_body(decode_copy_out_response, body);
            break;
        case 'X':
            check_body(decode_terminate, body);
            break;
        case 'd':
            check_body(decode_copy_data, body);
            break;
        case 'c':
            check_body(decode_copy_done, body);
            break;
        case 'f':
            check_body(decode_copy_fail, body);
            break;
        case 'p':
            check_body(decode_password_message, body);
            check_body(decode_sasl_initial_response, body);
            check_body(decode_sasl_response, body);
            break;
        case 'F':
            check_body(decode_function_call, body, /*canonical=*/false);
            break;
        case 'R': {
            const auto d = decode_authentication(body);
            const bool canonical = d && !std::holds_alternative<AuthenticationUnsupported>(*d);
            check_body(decode_authentication, body, canonical);
            break;
        }
        case 'K':
            check_body(decode_backend_key_data, body);
            break;
        case '1':
            check_body(decode_parse_complete, body);
            break;
        case '2':
            check_body(decode_bind_complete, body);
            break;
        case '3':
            check_body(decode_close_complete, body);
            break;
        case 'n':
            check_body(decode_no_data, body);
            break;
        case 's':
            check_body(decode_portal_suspended, body);
            break;
        case 'I':
            check_body(decode_empty_query_response, body);
            break;
        case 'G':
            check_body(decode_copy_in_response, body);
            break;
        case 'W':
            check_body(decode_copy_both_response, body);
            break;
        case 'N':
            check_body(decode_notice_response, body);
            break;
        case 'v':
            check_body(decode_negotiate_protocol_version, body);
            break;
        case 'A':
            check_body(decode_notification_response, body);
            break;
        case 't':
            check_body(decode_parameter_description, body);
            break;
        case 'Z':
            check_body(decode_ready_for_query, body);
            break;
        case 'T':
            check_body(decode_row_description, body);
            break;
        default:
            break;
    }
}

bool same_packet(const StartupPacket& a, const StartupPacket& b)
{
    if (a.index() != b.index()) {
        return false;
    }
    if (const auto* m = std::get_if<StartupMessage>(&a)) {
        const auto& n = std::get<StartupMessage>(b);
        return m->protocol == n.protocol && m->parameters == n.parameters;
    }
    if (const auto* c = std::get_if<CancelRequest>(&a)) {
        const auto& d = std::get<CancelRequest>(b);
        return c->process_id == d.process_id && c->secret_key == d.secret_key;
    }
    return true;
}

void check_malformed(const Malformed& m)
{
    if (m.sqlstate.size() != 5 || m.text.empty()) {
        fail("Malformed without a SQLSTATE and a text");
    }
}

void check_need_more(const NeedMore& n, std::size_t have)
{
    if (n.at_least <= have) {
        fail("NeedMore asks for no more than the buffer holds");
    }
}

void fuzz_startup(std::string_view buf)
{
    const Limits limits;
    const auto d = decode_startup(buf, limits);
    if (const auto* n = std::get_if<NeedMore>(&d)) {
        check_need_more(*n, buf.size());
        return;
    }
    if (const auto* m = std::get_if<Malformed>(&d)) {
        check_malformed(*m);
        return;
    }
    const auto& f = std::get<Frame<StartupPacket>>(d);
    if (f.consumed < 8 || f.consumed > buf.size()) {
        fail("a startup frame consumed an impossible size");
    }
    std::string out;
    std::visit([&out](const auto& p) { encode(p, out); }, f.message);
    if (out != buf.substr(0, f.consumed)) {
        fail("a re-encoded startup packet has different bytes");
    }
    const auto again = decode_startup(out, limits);
    const auto* g = std::get_if<Frame<StartupPacket>>(&again);
    if (g == nullptr || g->consumed != out.size() || !same_packet(g->message, f.message)) {
        fail("a re-encoded startup packet decodes to something else");
    }
}

void fuzz_stream(std::string_view buf)
{
    while (!buf.empty()) {
        const auto d = decode_message(buf, kMaxMessage);
        if (const auto* n = std::get_if<NeedMore>(&d)) {
            check_need_more(*n, buf.size());
            return;
        }
        if (const auto* m = std::get_if<Malformed>(&d)) {
            check_malformed(*m);
            return;
        }
        const auto& f = std::get<Frame<RawMessage>>(d);
        if (f.consumed < 5 || f.consumed > buf.size() || f.message.body.size() != f.consumed - 5) {
            fail("a frame consumed an impossible size");
        }
        decode_typed(f.message.tag, f.message.body);
        buf.remove_prefix(f.consumed);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    const std::string_view buf(reinterpret_cast<const char*>(data), size);
    fuzz_startup(buf);
    fuzz_stream(buf);
    // Straight into the typed decoder picked by the first byte, skipping the framing.
    if (!buf.empty()) {
        decode_typed(buf[0], buf.substr(1));
    }
    return 0;
}
