// RFC 3339 UTC timestamps. Layer: policy (pure).
#include "policy/audit/timestamp.hpp"

#include <cstdio>

namespace meshgate::audit {

std::string format_timestamp(std::chrono::system_clock::time_point t)
{
    using namespace std::chrono;
    const auto us = time_point_cast<microseconds>(t);
    auto day = floor<days>(us);
    year_month_day ymd{day};
    int y = int(ymd.year());
    unsigned mo = unsigned(ymd.month());
    unsigned d = unsigned(ymd.day());
    hh_mm_ss<microseconds> hms{us - day};
    long long h = hms.hours().count();
    long long mi = hms.minutes().count();
    long long s = hms.seconds().count();
    long long sub = hms.subseconds().count();
    // Keep the fixed width promise for absurd inputs instead of printing a 5-digit year.
    if (y < 0) {
        y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, sub = 0;
    } else if (y > 9999) {
        y = 9999, mo = 12, d = 31, h = 23, mi = 59, s = 59, sub = 999999;
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", y, mo, d, h, mi,
                  s, sub);
    return buf;
}

}  // namespace meshgate::audit
