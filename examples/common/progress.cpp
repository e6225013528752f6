// progress.cpp — the training progress line:
//   epoch 3/30 [#########---------------] 352/938  61.2 it/s  ETA 00:09  d_loss 1.234  g_loss 0.8123
// On a terminal the line is redrawn in place ('\r', then clear to the end of the
// line), at most about 200 times per bar; elsewhere (a log file, CI) a line is
// printed at 25%, 50% and 75%, and finish() always prints the final one.
#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace xgrad::examples {

namespace {

constexpr std::size_t bar_width = 24;
constexpr std::size_t tty_redraws = 200;

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Running values with 4 significant digits: "1.234", "0.0001235", "1.235e+04".
std::string sig4(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return buf;
}

// Steps per second: "61.2", "1234", "0.25".
std::string rate_text(double rate) {
    char buf[32];
    std::snprintf(buf, sizeof buf, rate >= 100.0 ? "%.0f" : "%.3g", rate);
    return buf;
}

}  // namespace

Progress::Progress(std::string label, std::size_t total, std::FILE* out)
    : label_(std::move(label)), total_(total), out_(out), tty_(::isatty(::fileno(out)) == 1),
      start_(std::chrono::steady_clock::now()) {
    // The first step at which update() prints: the first redraw step, or 25% of the way.
    next_report_ = tty_ ? 1 : (total_ + 3) / 4;
}

std::string Progress::format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0.0) return "--:--";
    const long long s = std::llround(seconds);
    char buf[48];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%02lld:%02lld", s / 60, s % 60);
    return buf;
}

// label [bar] done/total  rate it/s  ETA mm:ss  name value ...
// The rate is the average since the bar started; the ETA assumes it holds.
std::string Progress::line(std::size_t done, const std::vector<std::pair<std::string, double>>& values) const {
    const double elapsed = seconds_since(start_);
    const double rate = elapsed > 0.0 ? static_cast<double>(done) / elapsed : 0.0;
    const std::size_t filled = total_ == 0 ? bar_width : std::min(done, total_) * bar_width / total_;

    std::string s = label_ + " [" + std::string(filled, '#') + std::string(bar_width - filled, '-') + "] " +
                    std::to_string(done) + "/" + std::to_string(total_);
    if (done > 0 && rate > 0.0) {
        s += "  " + rate_text(rate) + " it/s";
        if (done >= total_)
            s += "  in " + format_duration(elapsed);
        else
            s += "  ETA " + format_duration(static_cast<double>(total_ - done) / rate);
    } else {
        s += "  -- it/s  ETA --:--";
    }
    for (const auto& [name, value] : values) s += "  " + name + " " + sig4(value);
    return s;
}

void Progress::update(std::size_t done, const std::vector<std::pair<std::string, double>>& values) {
    if (done < next_report_) return;
    if (tty_) {
        std::fprintf(out_, "\r%s\033[K", line(done, values).c_str());
        next_report_ = done + std::max<std::size_t>(1, total_ / tty_redraws);
    } else {
        if (done >= total_) return;  // the 100% line is finish()'s
        std::fprintf(out_, "%s\n", line(done, values).c_str());
        // The next quarter mark past done (25%, 50%, 75%), or none.
        next_report_ = static_cast<std::size_t>(-1);
        for (std::size_t k = 1; k <= 3; ++k) {
            const std::size_t mark = (k * total_ + 3) / 4;  // ceil(k·total / 4)
            if (mark > done && mark < total_) {
                next_report_ = mark;
                break;
            }
        }
    }
    std::fflush(out_);
}

void Progress::finish(const std::vector<std::pair<std::string, double>>& values) {
    if (tty_)
        std::fprintf(out_, "\r%s\033[K\n", line(total_, values).c_str());
    else
        std::fprintf(out_, "%s\n", line(total_, values).c_str());
    std::fflush(out_);
}

}  // namespace xgrad::examples
