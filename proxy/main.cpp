// meshgate command line: serve, check, explain, test, passwd, audit verify.
// Layer: proxy (edge). Exceptions are caught here and set the exit code.
#include <cstdio>
#include <cstring>
#include <string>

#ifndef MESHGATE_VERSION
#define MESHGATE_VERSION "dev"
#endif

int main(int argc, char** argv)
{
    if (argc >= 2 && std::strcmp(argv[1], "--version") == 0) {
        std::printf("meshgate %s\n", MESHGATE_VERSION);
        return 0;
    }
    std::printf("usage: meshgate <serve|check|explain|test|passwd|audit> [options]\n");
    return argc >= 2 && std::strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
