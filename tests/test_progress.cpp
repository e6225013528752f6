// test_progress.cpp — examples/common/progress.cpp: duration formatting, the
// lines written when the output is not a terminal (a log file), and the redrawn
// line on a terminal (a pseudo-terminal made for the test).
#include "check.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "examples/common/progress.hpp"

using namespace xgrad::examples;

namespace {

// Everything written to f so far.
std::string contents(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    return s;
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// The rate and time parts depend on the clock: "<rate> it/s  ETA mm:ss", or "-- it/s  ETA --:--"
// if no time has passed yet.
const std::string rate_eta = R"(((\d+|\d+\.\d+|\d(\.\d+)?e[-+]\d+) it/s  ETA \d\d:\d\d|-- it/s  ETA --:--))";
const std::string rate_done = R"((\d+|\d+\.\d+|\d(\.\d+)?e[-+]\d+) it/s  in \d\d:\d\d)";

bool matches(const std::string& line, const std::string& pattern) {
    INFO(line, "  vs  ", pattern);
    return std::regex_match(line, std::regex(pattern));
}

}  // namespace

TEST_CASE("format_duration") {
    CHECK(Progress::format_duration(0) == "00:00");
    CHECK(Progress::format_duration(59.4) == "00:59");
    CHECK(Progress::format_duration(59.6) == "01:00");  // rounded to the nearest second
    CHECK(Progress::format_duration(123) == "02:03");
    CHECK(Progress::format_duration(3599) == "59:59");
    CHECK(Progress::format_duration(3600) == "1:00:00");
    CHECK(Progress::format_duration(3723) == "1:02:03");  // 1 h 2 min 3 s
    CHECK(Progress::format_duration(36000) == "10:00:00");
    CHECK(Progress::format_duration(-1) == "--:--");
    CHECK(Progress::format_duration(std::numeric_limits<double>::infinity()) == "--:--");
    CHECK(Progress::format_duration(std::numeric_limits<double>::quiet_NaN()) == "--:--");
}

TEST_CASE("not a terminal: a line at 25%, 50%, 75% and the end") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);

    SUBCASE("every step reported") {
        Progress p("epoch 1/2", 8, f);
        for (std::size_t done = 1; done <= 8; ++done) p.update(done, {{"d_loss", 1.23456}, {"g_loss", 0.000123456}});
        p.finish({{"d_loss", 12345.6}});
        const std::string out = contents(f);
        CHECK(out.find('\r') == std::string::npos);  // no redrawing in a log
        CHECK(out.find('\033') == std::string::npos);
        const auto ls = lines(out);
        REQUIRE(ls.size() == 4);
        // bar: done/total of 24 characters; values with 4 significant digits.
        CHECK(matches(ls[0], R"(epoch 1/2 \[#{6}-{18}\] 2/8  )" + rate_eta + R"(  d_loss 1\.235  g_loss 0\.0001235)"));
        CHECK(matches(ls[1], R"(epoch 1/2 \[#{12}-{12}\] 4/8  )" + rate_eta + R"(  d_loss 1\.235  g_loss 0\.0001235)"));
        CHECK(matches(ls[2], R"(epoch 1/2 \[#{18}-{6}\] 6/8  )" + rate_eta + R"(  d_loss 1\.235  g_loss 0\.0001235)"));
        CHECK(matches(ls[3], R"(epoch 1/2 \[#{24}\] 8/8  )" + rate_done + R"(  d_loss 1\.235e\+04)"));
        CHECK(out.back() == '\n');
    }
    SUBCASE("steps skipped: one line per quarter crossed, none before") {
        Progress p("run", 100, f);
        p.update(10, {});  // before 25%: nothing
        p.update(60, {});  // past 25% and 50%: one line
        p.update(70, {});  // nothing new
        p.update(75, {});  // 75%
        p.update(99, {});
        p.update(100, {});  // the 100% line is finish()'s
        const auto ls = lines(contents(f));
        REQUIRE(ls.size() == 2);
        CHECK(matches(ls[0], R"(run \[#{14}-{10}\] 60/100  )" + rate_eta));
        CHECK(matches(ls[1], R"(run \[#{18}-{6}\] 75/100  )" + rate_eta));
    }
    SUBCASE("a bar of two steps, and of none") {
        Progress p("short", 2, f);
        p.update(1, {{"loss", 0.5}});
        p.update(2, {{"loss", 0.25}});
        p.finish({{"loss", 0.25}});
        Progress empty("empty", 0, f);
        empty.finish({});
        const auto ls = lines(contents(f));
        REQUIRE(ls.size() == 3);
        CHECK(matches(ls[0], R"(short \[#{12}-{12}\] 1/2  )" + rate_eta + "  loss 0\\.5"));
        CHECK(matches(ls[1], R"(short \[#{24}\] 2/2  )" + rate_done + "  loss 0\\.25"));
        CHECK(matches(ls[2], R"(empty \[#{24}\] 0/0  -- it/s  ETA --:--)"));
    }
    std::fclose(f);
}

TEST_CASE("on a terminal: one line redrawn in place") {
    // A pseudo-terminal in raw mode, so what Progress writes arrives unchanged at the master side.
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0);
    termios raw{};
    REQUIRE(::tcgetattr(slave, &raw) == 0);
    ::cfmakeraw(&raw);
    REQUIRE(::tcsetattr(slave, TCSANOW, &raw) == 0);
    std::FILE* tty = ::fdopen(slave, "w");
    REQUIRE(tty != nullptr);

    {
        Progress p("epoch 2/3", 4, tty);
        for (std::size_t done = 1; done <= 4; ++done) p.update(done, {{"g_loss", 0.75}});
        p.finish({{"g_loss", 0.5}});
    }
    std::fflush(tty);

    std::string out;
    ::fcntl(master, F_SETFL, O_NONBLOCK);
    char buf[4096];
    for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    std::fclose(tty);
    ::close(master);

    // Each draw: carriage return, the line, clear to the end of the line; only finish() ends the line.
    std::vector<std::string> draws;
    for (std::size_t at = out.find('\r'); at != std::string::npos; at = out.find('\r', at + 1)) {
        const std::size_t end = out.find("\033[K", at);
        REQUIRE(end != std::string::npos);
        draws.push_back(out.substr(at + 1, end - at - 1));
    }
    REQUIRE(draws.size() == 5);  // four updates (a bar of 4 steps is redrawn every step) and finish
    CHECK(matches(draws[0], R"(epoch 2/3 \[#{6}-{18}\] 1/4  )" + rate_eta + "  g_loss 0\\.75"));
    CHECK(matches(draws[3], R"(epoch 2/3 \[#{24}\] 4/4  )" + rate_done + "  g_loss 0\\.75"));
    CHECK(matches(draws[4], R"(epoch 2/3 \[#{24}\] 4/4  )" + rate_done + "  g_loss 0\\.5"));
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    CHECK(out.substr(out.size() - 4) == "\033[K\n");
}
