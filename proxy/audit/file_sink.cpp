// FileSink: POSIX append-only file with tail read-back, cut-back on failure and fdatasync.
// Layer: proxy (I/O edge).
#include "proxy/audit/file_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <algorithm>
#include <utility>

namespace meshgate::proxy {

namespace {

constexpr off_t kMaxTail = 4 * 1024 * 1024;

Error io_error(const std::string& what, const std::string& path, int err)
{
    return Error("58030", what + " " + path + ": " + std::strerror(err));
}

/// Makes a newly created file's directory entry durable too (a crash must not lose the file).
void sync_parent_directory(const std::string& path)
{
    const auto slash = path.rfind('/');
    const std::string dir =
        slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);  // best effort: some file systems refuse fsync on directories
        ::close(dfd);
    }
}

Result<SinkTail> read_tail(int fd, off_t size, const std::string& path)
{
    SinkTail tail;
    if (size == 0) {
        return tail;
    }
    tail.empty = false;
    const off_t start = size > kMaxTail ? size - kMaxTail : 0;
    std::string buf(std::size_t(size - start), '\0');
    std::size_t got = 0;
    while (got < buf.size()) {
        const ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, start + off_t(got));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return io_error("cannot read the end of", path, errno);
        }
        if (n == 0) {
            break;  // the file shrank under us: use what we have
        }
        got += std::size_t(n);
    }
    buf.resize(got);
    if (buf.empty()) {
        tail.empty = true;
        return tail;
    }
    tail.terminated = buf.back() == '\n';
    std::string_view body(buf);
    if (tail.terminated) {
        body.remove_suffix(1);
    }
    const auto nl = body.rfind('\n');
    if (nl != std::string_view::npos) {
        tail.last_line.assign(body.substr(nl + 1));
    } else if (start == 0) {
        tail.last_line.assign(body);
    } else {
        // The last line is longer than anything the writer produces: it cannot be ours intact.
        tail.last_line = "(last line longer than 4 MiB)";
    }
    return tail;
}

}  // namespace

FileSink::FileSink(std::string path) : path_(std::move(path)) {}

FileSink::~FileSink()
{
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

Result<SinkTail> FileSink::open()
{
    // O_RDWR, not O_WRONLY: the tail is read back with pread. O_APPEND keeps every write at the
    // end even if another process appends too (it should not, but then lines stay whole).
    const int fd = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        return io_error("cannot open audit log", path_, errno);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return io_error("cannot stat audit log", path_, err);
    }
    const bool regular = S_ISREG(st.st_mode);
    if (!regular && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
        ::close(fd);
        return Error("58030", "audit log " + path_ + " is not a regular file, FIFO or device");
    }
    SinkTail tail;
    if (regular) {
        auto t = read_tail(fd, st.st_size, path_);
        if (!t) {
            ::close(fd);
            return t.error();
        }
        tail = std::move(*t);
        if (st.st_size == 0) {
            sync_parent_directory(path_);
        }
    }
    if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = fd;
    regular_ = regular;
    return tail;
}

Result<void> FileSink::write(std::string_view bytes)
{
    if (fd_ < 0) {
        return Error("58030", "audit log " + path_ + " is not open");
    }
    off_t before = -1;
    if (regular_) {
        struct stat st {};
        if (::fstat(fd_, &st) == 0) {
            before = st.st_size;
        }
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const int err = n < 0 ? errno : EIO;
            // Take back the part that did get written, so the retry does not follow half a line.
            if (done > 0 && before >= 0) {
                (void)::ftruncate(fd_, before);
            }
            return io_error("cannot write audit log", path_, err);
        }
        done += std::size_t(n);
    }
    return {};
}

Result<void> FileSink::sync()
{
    if (fd_ < 0) {
        return Error("58030", "audit log " + path_ + " is not open");
    }
    if (!regular_) {
        return {};
    }
    if (::fdatasync(fd_) != 0) {
        return io_error("cannot sync audit log", path_, errno);
    }
    return {};
}

}  // namespace meshgate::proxy
