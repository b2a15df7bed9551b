// Environment::system(): the real environment variables and file system. Layer: config.
#include "config/load.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace meshgate::config {

namespace {

constexpr std::uintmax_t kMaxFileBytes = 64u * 1024 * 1024;

std::optional<std::string> system_getenv(const std::string& name)
{
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
        return std::nullopt;
    }
    return std::string(v);
}

std::optional<std::string> system_read_file(const std::string& path)
{
    std::error_code ec;
    // Follows symlinks (Kubernetes mounts secrets as symlinks to regular files).
    if (!std::filesystem::is_regular_file(path, ec) || ec) {
        return std::nullopt;
    }
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size > kMaxFileBytes) {
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad() || content.size() > kMaxFileBytes) {
        return std::nullopt;
    }
    return content;
}

std::vector<std::string> system_list_yaml(const std::string& dir)
{
    std::vector<std::string> out;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
        return out;
    }
    for (const auto end = std::filesystem::directory_iterator(); it != end; it.increment(ec)) {
        if (ec) {
            break;
        }
        const auto name = it->path().filename().string();
        std::error_code type_ec;
        if (name.empty() || name.front() == '.' || it->path().extension() != ".yaml" ||
            !std::filesystem::is_regular_file(it->path(), type_ec)) {
            continue;
        }
        out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

Environment Environment::system()
{
    return Environment{system_getenv, system_read_file, system_list_yaml};
}

}  // namespace meshgate::config
