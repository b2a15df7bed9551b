// Umbrella header: every protocol 3.0 message meshgate reads or writes, one file each under
// messages/. Layer: proxy/wire (pure).
//
// Each message file declares a plain struct named as in the PostgreSQL protocol docs, with
//   Result<T> decode_<snake_name>(std::string_view body);   // body after tag+length
//   void encode(const T& m, std::string& out);               // appends the whole tagged frame
// Decoders reject trailing bytes, missing NULs and negative counts with SQLSTATE 08P01.
#pragma once

#include "proxy/wire/codec.hpp"

// frontend (client -> server)
#include "proxy/wire/messages/bind.hpp"           // 'B' Bind
#include "proxy/wire/messages/close.hpp"          // 'C' Close
#include "proxy/wire/messages/copy_data.hpp"      // 'd' CopyData (both directions)
#include "proxy/wire/messages/copy_done.hpp"      // 'c' CopyDone (both directions)
#include "proxy/wire/messages/copy_fail.hpp"      // 'f' CopyFail
#include "proxy/wire/messages/describe.hpp"       // 'D' Describe
#include "proxy/wire/messages/execute.hpp"        // 'E' Execute
#include "proxy/wire/messages/flush.hpp"          // 'H' Flush
#include "proxy/wire/messages/function_call.hpp"  // 'F' FunctionCall (decoded only to refuse it)
#include "proxy/wire/messages/parse.hpp"          // 'P' Parse
#include "proxy/wire/messages/password_message.hpp"  // 'p' PasswordMessage, SASLInitialResponse, SASLResponse
#include "proxy/wire/messages/query.hpp"             // 'Q' Query
#include "proxy/wire/messages/sync.hpp"              // 'S' Sync
#include "proxy/wire/messages/terminate.hpp"  // 'X' Terminate

// backend (server -> client)
#include "proxy/wire/messages/authentication.hpp"  // 'R' Authentication* (Ok, CleartextPassword, MD5Password, SASL, SASLContinue, SASLFinal)
#include "proxy/wire/messages/backend_key_data.hpp"  // 'K'
#include "proxy/wire/messages/bind_complete.hpp"     // '2'
#include "proxy/wire/messages/close_complete.hpp"    // '3'
#include "proxy/wire/messages/command_complete.hpp"  // 'C'
#include "proxy/wire/messages/copy_response.hpp"  // 'G' CopyInResponse, 'H' CopyOutResponse, 'W' CopyBothResponse
#include "proxy/wire/messages/data_row.hpp"              // 'D'
#include "proxy/wire/messages/empty_query_response.hpp"  // 'I'
#include "proxy/wire/messages/error_response.hpp"  // 'E' ErrorResponse and 'N' NoticeResponse (same field list)
#include "proxy/wire/messages/negotiate_protocol_version.hpp"  // 'v'
#include "proxy/wire/messages/no_data.hpp"                     // 'n'
#include "proxy/wire/messages/notification_response.hpp"       // 'A'
#include "proxy/wire/messages/parameter_description.hpp"       // 't'
#include "proxy/wire/messages/parameter_status.hpp"            // 'S'
#include "proxy/wire/messages/parse_complete.hpp"              // '1'
#include "proxy/wire/messages/portal_suspended.hpp"            // 's'
#include "proxy/wire/messages/ready_for_query.hpp"             // 'Z'
#include "proxy/wire/messages/row_description.hpp"             // 'T'
