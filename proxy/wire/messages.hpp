// Umbrella header: every protocol 3.0 message meshgate reads or writes, one file each under
// messages/. Layer: proxy/wire (pure).
//
// Each message file declares a plain struct named as in the PostgreSQL protocol docs, with
//   Result<T> decode_<snake_name>(std::string_view body);   // body after tag+length
//   void encode(const T& m, std::string& out);               // appends the whole tagged frame
// Every struct also has `static constexpr char kTag` (its tag byte) and a defaulted operator==.
// Decoders reject truncated bodies, trailing bytes, missing NULs, negative counts and counts
// that cannot fit in the bytes left (before reserving anything) with SQLSTATE 08P01.
#pragma once

#include "proxy/wire/codec.hpp"

// Frontend (client -> server):
//   'B' Bind, 'C' Close, 'd' CopyData, 'c' CopyDone, 'f' CopyFail, 'D' Describe, 'E' Execute,
//   'H' Flush, 'F' FunctionCall (decoded only to refuse it), 'P' Parse, 'Q' Query, 'S' Sync,
//   'X' Terminate, 'p' PasswordMessage / SASLInitialResponse / SASLResponse.
#include "proxy/wire/messages/bind.hpp"
#include "proxy/wire/messages/close.hpp"
#include "proxy/wire/messages/copy_data.hpp"
#include "proxy/wire/messages/copy_done.hpp"
#include "proxy/wire/messages/copy_fail.hpp"
#include "proxy/wire/messages/describe.hpp"
#include "proxy/wire/messages/execute.hpp"
#include "proxy/wire/messages/flush.hpp"
#include "proxy/wire/messages/function_call.hpp"
#include "proxy/wire/messages/parse.hpp"
#include "proxy/wire/messages/password_message.hpp"
#include "proxy/wire/messages/query.hpp"
#include "proxy/wire/messages/sync.hpp"
#include "proxy/wire/messages/terminate.hpp"

// Backend (server -> client):
//   'R' Authentication* (Ok, CleartextPassword, MD5Password, SASL, SASLContinue, SASLFinal),
//   'K' BackendKeyData, '2' BindComplete, '3' CloseComplete, 'C' CommandComplete,
//   'G' / 'H' / 'W' CopyIn/Out/BothResponse, 'D' DataRow, 'I' EmptyQueryResponse,
//   'E' ErrorResponse and 'N' NoticeResponse, 'v' NegotiateProtocolVersion, 'n' NoData,
//   'A' NotificationResponse, 't' ParameterDescription, 'S' ParameterStatus, '1' ParseComplete,
//   's' PortalSuspended, 'Z' ReadyForQuery, 'T' RowDescription.
#include "proxy/wire/messages/authentication.hpp"
#include "proxy/wire/messages/backend_key_data.hpp"
#include "proxy/wire/messages/bind_complete.hpp"
#include "proxy/wire/messages/close_complete.hpp"
#include "proxy/wire/messages/command_complete.hpp"
#include "proxy/wire/messages/copy_response.hpp"
#include "proxy/wire/messages/data_row.hpp"
#include "proxy/wire/messages/empty_query_response.hpp"
#include "proxy/wire/messages/error_response.hpp"
#include "proxy/wire/messages/negotiate_protocol_version.hpp"
#include "proxy/wire/messages/no_data.hpp"
#include "proxy/wire/messages/notification_response.hpp"
#include "proxy/wire/messages/parameter_description.hpp"
#include "proxy/wire/messages/parameter_status.hpp"
#include "proxy/wire/messages/parse_complete.hpp"
#include "proxy/wire/messages/portal_suspended.hpp"
#include "proxy/wire/messages/ready_for_query.hpp"
#include "proxy/wire/messages/row_description.hpp"
