// test_atomic_file.cpp — nn/atomic_file.cpp: a file written from several pieces,
// the message when a write fails (the previous file kept, no temporary left), and
// the clean-up of temporary files that killed processes left behind.
#include "check.hpp"
#include "files.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <string_view>
#include <vector>

using namespace xgrad;
using namespace xgrad::nn;
using namespace xgrad::testing;

TEST_CASE("write_file_atomically writes the pieces one after the other") {
    TempDir dir;
    const std::string p = dir / "out.txt";
    const std::vector<std::string_view> pieces{"head,", "", "body\n"};
    write_file_atomically(p, pieces);
    CHECK(read_file(p) == "head,body\n");
    write_file_atomically(p, "replaced\n");
    CHECK(read_file(p) == "replaced\n");
    CHECK(files_in(dir.path) == 1);  // no "out.txt.tmp-<pid>" left
}

TEST_CASE("a write that fails names the file and keeps the previous one") {
    TempDir dir;
    SUBCASE("no such directory; with a prefix of the caller's") {
        const std::string p = dir / "no/such/out.txt";
        CHECK_FAILS_WITH(write_file_atomically(p, "x"), p + ": cannot write (No such file or directory)");
        const std::vector<std::string_view> pieces{"x"};
        CHECK_FAILS_WITH(write_file_atomically(p, pieces, "save_thing(" + p + "): "),
                         "save_thing(" + p + "): cannot write (No such file or directory)");
        CHECK(files_in(dir.path) == 0);
    }
    SUBCASE("the disk fills up halfway") {
        const std::string p = dir / "out.txt";
        write_file_atomically(p, "old\n");
        std::string message;
        {
            const FileSizeLimit limit(64);  // a write past 64 bytes fails with EFBIG, as on a full disk
            try {
                write_file_atomically(p, std::string(1000, 'n'));
            } catch (const std::runtime_error& e) {
                message = e.what();
            }
        }
        CHECK(message == p + ": cannot write (File too large)");
        CHECK(read_file(p) == "old\n");
        CHECK(files_in(dir.path) == 1);  // the temporary file is gone
    }
}

TEST_CASE("a write removes the temporary files of processes that are gone") {
    TempDir dir;
    // A pid no process has: a child that has exited and been waited for.
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    REQUIRE(child > 0);
    REQUIRE(::waitpid(child, nullptr, 0) == child);
    const std::string p = dir / "out.txt";
    const std::string dead = p + ".tmp-" + std::to_string(child);
    const std::string alive = p + ".tmp-" + std::to_string(::getppid());  // our parent runs
    const std::string other = p + ".tmp-notapid";
    for (const std::string& f : {dead, alive, other}) write_file(f, "half a file");

    write_file_atomically(p, "whole\n");
    CHECK_FALSE(fs::exists(dead));
    CHECK(fs::exists(alive));  // may be a write in progress
    CHECK(fs::exists(other));  // not a name an atomic write makes
}
