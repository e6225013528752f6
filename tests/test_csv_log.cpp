// test_csv_log.cpp — examples/common/csv_log.cpp: the header and rows of a new
// log, numbers that read back as the same float, resuming (rows past the resumed
// step dropped, a cut-off last line dropped), and the error messages (a log that
// is not a regular file or is too large to read back).
#include "check.hpp"
#include "files.hpp"

#include <sys/stat.h>

#include "examples/common/csv_log.hpp"

using namespace xgrad::examples;
using namespace xgrad::testing;

namespace {

const std::vector<std::string> columns = {"step", "d_loss", "g_loss"};

// A log of steps 1..5 as a run writes it.
void five_rows(const std::string& path) {
    CsvLog log(path, columns);
    for (int step = 1; step <= 5; ++step) log.row({double(step), step + 0.5, step + 0.25});
}

const std::string five_rows_text =
    "step,d_loss,g_loss\n1,1.5,1.25\n2,2.5,2.25\n3,3.5,3.25\n4,4.5,4.25\n5,5.5,5.25\n";

}  // namespace

TEST_CASE("a new log: header, then one row per call") {
    TempDir dir;
    const std::string p = dir / "losses.csv";
    SUBCASE("header at once, rows flushed as they come") {
        CsvLog log(p, columns);
        CHECK(read_file(p) == "step,d_loss,g_loss\n");
        log.row({1, 0.5, 1.25});
        CHECK(read_file(p) == "step,d_loss,g_loss\n1,0.5,1.25\n");  // on disk before flush()
        log.row({2, -3, 1e-7});
        log.flush();
        CHECK(read_file(p) == "step,d_loss,g_loss\n1,0.5,1.25\n2,-3,1e-07\n");
    }
    SUBCASE("floats read back exactly; steps are integers") {
        const float x = 0.1f, y = 1.0f / 3.0f;
        {
            CsvLog log(p, columns);
            log.row({123456789, x, y});
        }
        // %.9g: 0.1f is 0.100000001490116..., 1/3 as a float is 0.333333343267...
        CHECK(read_file(p) == "step,d_loss,g_loss\n123456789,0.100000001,0.333333343\n");
        CHECK(std::stof("0.100000001") == x);
        CHECK(std::stof("0.333333343") == y);
    }
    SUBCASE("an existing file is started anew unless resuming") {
        five_rows(p);
        CHECK(read_file(p) == five_rows_text);
        CsvLog log(p, columns);
        CHECK(read_file(p) == "step,d_loss,g_loss\n");
    }
}

TEST_CASE("resuming keeps the rows up to the resumed step") {
    TempDir dir;
    const std::string p = dir / "losses.csv";
    SUBCASE("rows past the step are dropped, new rows follow") {
        five_rows(p);
        {
            CsvLog log(p, columns, 3);
            CHECK(read_file(p) == "step,d_loss,g_loss\n1,1.5,1.25\n2,2.5,2.25\n3,3.5,3.25\n");
            log.row({4, 40, 41});
        }
        CHECK(read_file(p) == "step,d_loss,g_loss\n1,1.5,1.25\n2,2.5,2.25\n3,3.5,3.25\n4,40,41\n");
        CHECK(files_in(dir.path) == 1);  // no temporary file
    }
    SUBCASE("step 0 keeps the header only; a step past the end keeps everything") {
        five_rows(p);
        CsvLog(p, columns, 5);
        CHECK(read_file(p) == five_rows_text);
        CsvLog(p, columns, 0);
        CHECK(read_file(p) == "step,d_loss,g_loss\n");
    }
    SUBCASE("no file yet: a new one") {
        CsvLog log(p, columns, 7);
        CHECK(read_file(p) == "step,d_loss,g_loss\n");
    }
    SUBCASE("a last line cut off mid-write is dropped") {
        write_file(p, "step,d_loss,g_loss\n1,1.5,1.25\n2,2.5,2.25\n3,3.");
        CsvLog log(p, columns, 10);
        CHECK(read_file(p) == "step,d_loss,g_loss\n1,1.5,1.25\n2,2.5,2.25\n");
    }
    SUBCASE("a different header") {
        write_file(p, "step,loss\n1,2\n");
        CHECK_FAILS_WITH(CsvLog(p, columns, 1),
                         p + ": its header is 'step,loss', this run writes 'step,d_loss,g_loss' (move the file away "
                             "to start a new log)");
        CHECK(read_file(p) == "step,loss\n1,2\n");  // left as it was
    }
    SUBCASE("a FIFO, a directory or a device: refused at once, never waited on") {
        REQUIRE(::mkfifo(p.c_str(), 0644) == 0);
        CHECK_FAILS_WITH(CsvLog(p, columns, 1), p + ": not a regular file (a FIFO)");
        fs::remove(p);
        fs::create_directory(p);
        CHECK_FAILS_WITH(CsvLog(p, columns, 1), p + ": a directory, not a file");
        fs::remove(p);
        fs::create_symlink("/dev/zero", p);
        CHECK_FAILS_WITH(CsvLog(p, columns, 1), p + ": not a regular file (a character device)");
    }
    SUBCASE("a log over 1 GiB is refused before it is read") {
        write_file(p, "step,d_loss,g_loss\n");
        fs::resize_file(p, (std::uint64_t{1} << 30) + 1);  // sparse: takes no room on disk
        CHECK_FAILS_WITH(CsvLog(p, columns, 1), p + ": 1073741825 bytes, over the 1073741824 a losses log may hold "
                                                     "(move the file away to start a new log)");
    }
    SUBCASE("a row that does not start with a step") {
        write_file(p, "step,d_loss,g_loss\n1,1.5,1.25\nx,2.5,2.25\n");
        CHECK_FAILS_WITH(CsvLog(p, columns, 1), p + ":3: a row must start with its step, got 'x,2.5,2.25'");
    }
}

TEST_CASE("CsvLog errors") {
    TempDir dir;
    const std::string p = dir / "losses.csv";
    SUBCASE("the first column must be the step") {
        CHECK_FAILS_WITH_AS(CsvLog(p, {"d_loss", "g_loss"}), "CsvLog(" + p + "): the first column must be \"step\"",
                            std::invalid_argument);
        CHECK_FAILS_WITH_AS(CsvLog(p, {}), "CsvLog(" + p + "): the first column must be \"step\"",
                            std::invalid_argument);
    }
    SUBCASE("wrong number of values") {
        CsvLog log(p, columns);
        CHECK_FAILS_WITH_AS(log.row({1, 2}), "CsvLog(" + p + "): a row needs 3 values (step,d_loss,g_loss), got 2",
                            std::invalid_argument);
        CHECK_FAILS_WITH_AS(log.row({1, 2, 3, 4}),
                            "CsvLog(" + p + "): a row needs 3 values (step,d_loss,g_loss), got 4", std::invalid_argument);
        CHECK(read_file(p) == "step,d_loss,g_loss\n");  // nothing written
    }
    SUBCASE("a path that cannot be written") {
        write_file(dir / "file", "x");
        const std::string bad = dir / "file" + "/losses.csv";
        CHECK_FAILS_WITH(CsvLog(bad, columns), bad + ": cannot write (Not a directory)");
    }
}
