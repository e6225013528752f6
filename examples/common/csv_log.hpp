// csv_log.hpp — the losses CSV (one row per step). On --resume the rows past the
// resumed step are dropped, so the file matches an uninterrupted run.
#pragma once

#include <cstddef>
#include <fstream>
#include <string>
#include <vector>

namespace xgrad::examples {

class CsvLog {
public:
    // columns[0] must be "step". keep_until_step: when >= 0 and the file exists,
    // keep its header and the rows with step <= keep_until_step and append after
    // them; otherwise start a new file. std::runtime_error naming the path on failure.
    CsvLog(const std::string& path, std::vector<std::string> columns, long long keep_until_step = -1);
    // One row; values.size() must equal columns.size() (std::invalid_argument).
    void row(const std::vector<double>& values);
    void flush();

private:
    std::string path_;
    std::vector<std::string> columns_;
    std::ofstream file_;
};

}  // namespace xgrad::examples
