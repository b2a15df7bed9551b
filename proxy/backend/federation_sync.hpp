// Federation sync: keeps the postgres_fdw servers, user mappings and foreign tables on the
// federation backend in step with the snapshot's products (SPEC §3 Routing), at start and on
// reload, before the snapshot is published. Names and statements: policy/federation.hpp.
// Layer: proxy (I/O edge).
//
// One-time setup the operator does on the federation backend (as a superuser):
//   CREATE EXTENSION IF NOT EXISTS postgres_fdw;
//   GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO <federation service account>;
//   GRANT CREATE ON DATABASE <its database> TO <federation service account>;
// The other backends must ask the federation backend's connections for a password
// (scram-sha-256 or md5 in pg_hba.conf): postgres_fdw refuses passwordless logins for
// non-superusers.
#pragma once

#include "config/model.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>

namespace meshgate::proxy {

/// Brings `snap.federation_backend` in step with `snap` (nothing to do without one): one
/// connection as the federation service account, one transaction under an advisory lock (so
/// replicas take turns), every change logged. A foreign table that cannot be created (e.g. a
/// type unknown on the federation backend) is skipped with a warning. Any other failure (not
/// reachable, postgres_fdw missing, no privilege, timeout) rolls back, is logged, and sets
/// `snap.federation_unavailable` to the reason: statements spanning backends are then refused,
/// single-backend traffic is unaffected. Never throws.
boost::asio::awaitable<void> sync_federation(config::Snapshot& snap,
                                             std::chrono::milliseconds timeout);

/// sync_federation on a private io_context (startup).
void sync_federation_blocking(config::Snapshot& snap, std::chrono::milliseconds timeout);

}  // namespace meshgate::proxy
