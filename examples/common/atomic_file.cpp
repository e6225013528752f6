// atomic_file.cpp — temporary file "<path>.tmp-<pid>" next to the target, every
// byte written and fsync'ed, then rename() over the target. rename within one
// directory is atomic: a reader sees the old file or the new one, never a mix.
#include "atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "nn/checkpoint.hpp"  // remove_stale_temporaries

namespace xgrad::examples {

namespace fs = std::filesystem;

void write_file_atomically(const fs::path& path, std::string_view bytes) {
    const std::string tmp = path.string() + ".tmp-" + std::to_string(::getpid());
    auto fail = [&](int err) { return std::runtime_error(path.string() + ": cannot write (" + std::strerror(err) + ")"); };

    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw fail(errno);
    int err = 0;
    // write() may write less than asked: loop until every byte is out.
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0 && err == 0) {
        const ssize_t k = ::write(fd, p, left);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            err = errno;
            break;
        }
        p += k;
        left -= static_cast<std::size_t>(k);
    }
    if (err == 0 && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
    if (err != 0) {
        ::unlink(tmp.c_str());  // the previous file at path was never touched
        throw fail(err);
    }
    // Make the rename itself durable (best effort: the new file is in place already).
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    nn::remove_stale_temporaries(path);  // what a killed earlier run left behind
}

}  // namespace xgrad::examples
