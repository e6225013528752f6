// fuzz_options.cpp — libFuzzer target for the command line of gan_mnist and
// cgan_mnist (examples/common/options.hpp): the input is split at newlines into
// arguments, read by parse_options with every option the programs take, and
// checked by check_options (finish_options without the directory checks, so the
// fuzzer creates no directories). As in the programs, an unreadable command line
// is a ParseResult with its message and a bad value std::invalid_argument;
// anything else (an exception, a crash, a sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "examples/common/options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace xgrad::examples;
    // One argument per line ("--epochs\n3\n--arch\nmlp").
    std::vector<std::string> args;
    std::string arg;
    for (std::size_t i = 0; i < size; ++i) {
        const char c = static_cast<char>(data[i]);
        if (c == '\n') {
            args.push_back(arg);
            arg.clear();
        } else if (c != '\0') {  // a real argv entry cannot hold a NUL byte
            arg += c;
        }
    }
    if (!arg.empty()) args.push_back(arg);
    GanOptions opt;
    if (parse_options(args, "cgan_mnist", opt).outcome != ParseResult::run) return 0;  // help, or one line
    try {
        check_options(opt, "cgan_mnist");
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
