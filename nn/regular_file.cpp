// regular_file.cpp — open() with O_NONBLOCK, so that opening a FIFO returns at
// once instead of waiting for a writer, then fstat() on the open descriptor to
// see what the path really is (checking before opening could be fooled by a file
// swapped in between).
#include "regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace xgrad::nn {

namespace {

// "a FIFO": what a path that is neither a regular file nor a directory is, for
// messages. (A socket never gets here: open() itself refuses it, with ENXIO.)
std::string file_kind(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    return "an unknown kind of file";
}

}  // namespace

int open_regular_file(const std::filesystem::path& path, std::uint64_t& size, const std::string& prefix) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(prefix + "cannot open (" + std::strerror(errno) + ")");
    struct stat st {};
    std::string problem;
    if (::fstat(fd, &st) != 0) problem = std::string("cannot open (") + std::strerror(errno) + ")";
    else if (S_ISDIR(st.st_mode)) problem = "a directory, not a file";
    else if (!S_ISREG(st.st_mode)) problem = "not a regular file (" + file_kind(st.st_mode) + ")";
    if (!problem.empty()) {
        ::close(fd);
        throw std::runtime_error(prefix + problem);
    }
    size = static_cast<std::uint64_t>(st.st_size);
    return fd;
}

int open_regular_file(const std::filesystem::path& path, std::uint64_t& size) {
    return open_regular_file(path, size, path.string() + ": ");
}

std::string read_and_close(int fd, std::uint64_t size, const std::string& prefix) {
    std::string text(static_cast<std::size_t>(size), '\0');
    std::size_t have = 0;
    int error = 0;
    while (have < text.size()) {  // read() may return less than asked, or be interrupted by a signal
        const ssize_t got = ::read(fd, text.data() + have, text.size() - have);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) error = errno;
        if (got <= 0) break;
        have += static_cast<std::size_t>(got);
    }
    ::close(fd);
    if (error != 0) throw std::runtime_error(prefix + "cannot read (" + std::strerror(error) + ")");
    text.resize(have);
    return text;
}

}  // namespace xgrad::nn
