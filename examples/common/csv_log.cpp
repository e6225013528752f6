// csv_log.cpp — the losses CSV: a header line ("step,d_loss,g_loss"), then one
// row per step, each flushed as it is written so a crash loses nothing that a
// checkpoint already counts. Numbers use %.9g, enough digits to read every float
// back exactly; the step is written as an integer.
#include "csv_log.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "nn/atomic_file.hpp"
#include "nn/regular_file.hpp"

namespace xgrad::examples {

namespace {

std::string join(const std::vector<std::string>& columns) {
    std::string s;
    for (std::size_t i = 0; i < columns.size(); ++i) s += (i ? "," : "") + columns[i];
    return s;
}

// The step at the start of a row ("412,1.23,0.81" → 412); false if it is not an integer.
bool row_step(const std::string& line, long long& step) {
    const std::size_t end = std::min(line.find(','), line.size());
    const auto [ptr, ec] = std::from_chars(line.data(), line.data() + end, step);
    return ec == std::errc() && ptr == line.data() + end;
}

// The largest log read back on --resume: 1 GiB. A row is about 35 bytes; 100
// epochs of MNIST at batch size 64 write 3 MB.
constexpr std::uint64_t max_log_bytes = std::uint64_t{1} << 30;

// The whole text of an existing log. Anything but a regular file is refused at
// once (nn/regular_file.hpp), and so is a file over max_log_bytes, before it is
// read into memory.
std::string read_log(const std::string& path) {
    std::uint64_t size = 0;
    const int fd = nn::open_regular_file(path, size);
    if (size > max_log_bytes) {
        ::close(fd);
        throw std::runtime_error(path + ": " + std::to_string(size) + " bytes, over the " +
                                 std::to_string(max_log_bytes) +
                                 " a losses log may hold (move the file away to start a new log)");
    }
    return nn::read_and_close(fd, size, path + ": ");
}

// The header and the rows with step <= keep_until_step of an existing log, as one string.
std::string kept_part(const std::string& path, const std::string& header, long long keep_until_step) {
    std::istringstream in(read_log(path));
    std::string line;
    if (!std::getline(in, line) || line != header)
        throw std::runtime_error(path + ": its header is '" + line + "', this run writes '" + header +
                                 "' (move the file away to start a new log)");
    std::string kept = header + "\n";
    for (std::size_t number = 2; std::getline(in, line); ++number) {
        if (in.eof()) break;  // a last line without its newline was cut off mid-write: drop it
        long long step = 0;
        if (!row_step(line, step))
            throw std::runtime_error(path + ":" + std::to_string(number) + ": a row must start with its step, got '" +
                                     line + "'");
        if (step <= keep_until_step) kept += line + "\n";
    }
    return kept;
}

}  // namespace

CsvLog::CsvLog(const std::string& path, std::vector<std::string> columns, long long keep_until_step)
    : path_(path), columns_(std::move(columns)) {
    if (columns_.empty() || columns_[0] != "step")
        throw std::invalid_argument("CsvLog(" + path_ + "): the first column must be \"step\"");
    const std::string header = join(columns_);

    // Start the file (resuming: with what the resumed run already counts, else with
    // the header alone) in one atomic write, then append a line per row.
    std::error_code ec;
    const bool resume = keep_until_step >= 0 && std::filesystem::exists(path_, ec);
    nn::write_file_atomically(path_, resume ? kept_part(path_, header, keep_until_step) : header + '\n');
    file_.open(path_, std::ios::app);
    if (!file_) throw std::runtime_error(path_ + ": cannot open for writing (" + std::strerror(errno) + ")");
}

void CsvLog::row(const std::vector<double>& values) {
    if (values.size() != columns_.size())
        throw std::invalid_argument("CsvLog(" + path_ + "): a row needs " + std::to_string(columns_.size()) +
                                    " values (" + join(columns_) + "), got " + std::to_string(values.size()));
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.0f", values[0]);
    std::string line = buf;
    for (std::size_t i = 1; i < values.size(); ++i) {
        std::snprintf(buf, sizeof buf, ",%.9g", values[i]);
        line += buf;
    }
    file_ << line << '\n';
    flush();
}

void CsvLog::flush() {
    file_.flush();
    if (!file_) throw std::runtime_error(path_ + ": write failed");
}

}  // namespace xgrad::examples
