// Unit tests of CancelRegistry: only the issued key reaches the session's current backend.
#include "proxy/cancel_registry.hpp"

#include <doctest/doctest.h>

#include <set>

using meshgate::proxy::CancelRegistry;
using meshgate::proxy::CancelTarget;

TEST_SUITE("proxy.cancel_registry") {
TEST_CASE("a cancel with the issued key finds the session's current backend") {
    CancelRegistry r;
    const auto key = r.register_session();
    CHECK(key.process_id > 0);
    CHECK_FALSE(r.lookup(key.process_id, key.secret_key).has_value());  // no backend yet
    r.set_target(key.process_id, CancelTarget{"10.0.0.5", 5432, 4242, 77});
    const auto t = r.lookup(key.process_id, key.secret_key);
    REQUIRE(t.has_value());
    CHECK(t->host == "10.0.0.5");
    CHECK(t->process_id == 4242);
    CHECK(t->secret_key == 77);
}

TEST_CASE("a wrong secret key or an unregistered session finds nothing") {
    CancelRegistry r;
    const auto key = r.register_session();
    r.set_target(key.process_id, CancelTarget{"h", 1, 2, 3});
    CHECK_FALSE(r.lookup(key.process_id, key.secret_key ^ 1).has_value());
    r.unregister(key.process_id);
    CHECK_FALSE(r.lookup(key.process_id, key.secret_key).has_value());
    CHECK(r.size() == 0);
}

TEST_CASE("process ids are unique among live sessions") {
    CancelRegistry r;
    std::set<int32_t> seen;
    for (int i = 0; i < 1000; ++i) {
        CHECK(seen.insert(r.register_session().process_id).second);
    }
    CHECK(r.size() == 1000);
}
}
