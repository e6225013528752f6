// test_regular_file.cpp — nn/regular_file.cpp: a regular file opened and read back
// whole, and every other kind of path refused at once with one message format (the
// callers' own tests check the same words after their prefixes).
#include "check.hpp"
#include "files.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

using namespace xgrad;
using namespace xgrad::nn;
using namespace xgrad::testing;

TEST_CASE("open_regular_file opens a regular file and read_and_close reads it whole") {
    TempDir dir;
    const std::string p = dir / "notes.txt";
    write_file(p, "one\ntwo\n");
    std::uint64_t size = 0;
    const int fd = open_regular_file(p, size);
    CHECK(size == 8);
    CHECK(read_and_close(fd, size, p + ": ") == "one\ntwo\n");
}

TEST_CASE("open_regular_file refuses anything but a regular file, at once") {
    TempDir dir;
    const std::string p = dir / "thing";
    std::uint64_t size = 0;
    SUBCASE("missing, with the default prefix and with a caller's") {
        CHECK_FAILS_WITH(open_regular_file(p, size), p + ": cannot open (No such file or directory)");
        CHECK_FAILS_WITH(open_regular_file(p, size, "load_thing(" + p + "): "),
                         "load_thing(" + p + "): cannot open (No such file or directory)");
    }
    SUBCASE("a directory") {
        fs::create_directory(p);
        CHECK_FAILS_WITH(open_regular_file(p, size), p + ": a directory, not a file");
    }
    SUBCASE("a FIFO: never waited on") {
        REQUIRE(::mkfifo(p.c_str(), 0644) == 0);
        CHECK_FAILS_WITH(open_regular_file(p, size), p + ": not a regular file (a FIFO)");
    }
    SUBCASE("a device") {
        CHECK_FAILS_WITH(open_regular_file("/dev/null", size), "/dev/null: not a regular file (a character device)");
    }
    SUBCASE("a socket: open() itself refuses it") {
        const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
        REQUIRE(s >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        REQUIRE(p.size() < sizeof address.sun_path);
        std::strcpy(address.sun_path, p.c_str());
        REQUIRE(::bind(s, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
        CHECK_FAILS_WITH(open_regular_file(p, size), p + ": cannot open (No such device or address)");
        ::close(s);
    }
}
