// progress.hpp — a progress line for training: bar, steps, rate, ETA and running
// values (losses). On a terminal it redraws one line; otherwise (logs, CI) it
// prints a line at every 25% of the total and at the end.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace xgrad::examples {

class Progress {
public:
    // label, e.g. "epoch 3/30"; total = steps in this run of the bar.
    Progress(std::string label, std::size_t total, std::FILE* out = stderr);
    // done steps so far and the values to show, e.g. {{"d_loss", 1.23}, {"g_loss", 0.81}}.
    void update(std::size_t done, const std::vector<std::pair<std::string, double>>& values);
    // Final line (always printed, ends with a newline).
    void finish(const std::vector<std::pair<std::string, double>>& values);
    // "1:02:03" / "02:03" formatting of seconds, for tests and messages.
    static std::string format_duration(double seconds);

private:
    std::string line(std::size_t done, const std::vector<std::pair<std::string, double>>& values) const;
    std::string label_;
    std::size_t total_;
    std::FILE* out_;
    bool tty_;
    std::size_t next_report_ = 0;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace xgrad::examples
