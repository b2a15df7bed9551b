// MESHGATE_ASSERT failure handler. Layer: common.
#include "common/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace meshgate {
void detail_assert_fail(const char* cond, const char* file, int line)
{
    std::fprintf(stderr, "meshgate: internal invariant failed: %s at %s:%d\n", cond, file, line);
    std::abort();
}
}  // namespace meshgate
