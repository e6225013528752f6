// bench_options.hpp — reading a benchmark's command line, shared by the
// benchmarks of this directory so that each of them only says which options it
// takes. A bad value is one line of std::invalid_argument that names the option
// ("--rounds: '0' must be a number >= 1"); main() prints it and exits with 2.
//
//     bench::Args args(argc, argv);
//     while (args.next()) {
//         if (args.is("--rounds")) o.rounds = args.number(1);
//         else if (args.is("--batch")) o.batches = args.sizes();
//         else if (args.is("--machine")) o.machine = true;
//         else args.unknown("tests/bench/bench_x.cpp");
//     }
//
// and main() starts with `const Options opt = bench::options_or_exit("bench_x", parse, argc, argv);`.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

class Args {
public:
    Args(int argc, char** argv) : argc_(argc), argv_(argv) {}

    // Move to the next option; false when none is left.
    bool next() {
        if (++i_ >= argc_) return false;
        option_ = argv_[i_];
        return true;
    }
    bool is(const char* name) const { return option_ == name; }

    // The option's value: the argument after it.
    std::string value() {
        if (i_ + 1 >= argc_) throw std::invalid_argument(option_ + " needs a value");
        return argv_[++i_];
    }
    // The value as a whole number, at least `min`.
    int number(int min) {
        const std::string v = value();
        char* end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (end == v.c_str() || *end != '\0' || n < min || n > 1'000'000'000)
            throw std::invalid_argument(option_ + ": '" + v + "' must be a number >= " + std::to_string(min));
        return int(n);
    }
    // The value as a comma-separated list: "D1,G2" → {"D1", "G2"}.
    std::vector<std::string> names() {
        const std::string text = value();
        std::vector<std::string> out;
        std::size_t pos = 0;
        while (pos <= text.size()) {
            const std::size_t comma = std::min(text.find(',', pos), text.size());
            out.push_back(text.substr(pos, comma - pos));
            pos = comma + 1;
        }
        return out;
    }
    // The value as a list of positive sizes: "16,64,256".
    std::vector<std::size_t> sizes() {
        const std::string option = option_;
        std::vector<std::size_t> out;
        for (const std::string& item : names()) {
            char* end = nullptr;
            const long v = std::strtol(item.c_str(), &end, 10);
            if (end == item.c_str() || *end != '\0' || v <= 0)
                throw std::invalid_argument(option + ": '" + item + "' is not a positive size");
            out.push_back(std::size_t(v));
        }
        return out;
    }
    // For an option the program does not take; `file` says where its options are listed.
    [[noreturn]] void unknown(const std::string& file) const {
        throw std::invalid_argument("unknown option " + option_ + " (see the top of " + file + ")");
    }

private:
    int argc_;
    char** argv_;
    int i_ = 0;  // argv_[0] is the program
    std::string option_;
};

// parse(argc, argv), or, when it throws, its message as one line "program: ..." on
// stderr and exit status 2 (before the benchmark has made anything).
template <class Parse>
auto options_or_exit(const char* program, Parse parse, int argc, char** argv) {
    try {
        return parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        std::exit(2);
    }
}

// The median of some timings (the mean of the middle two for an even count).
inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    if (n == 0) return 0.0;
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace bench
