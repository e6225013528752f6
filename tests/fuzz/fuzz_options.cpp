// fuzz_options.cpp — libFuzzer target for the command line of gan_mnist and
// cgan_mnist (examples/common/options.hpp): the input is split at newlines into
// arguments, parsed by CLI11 with every option the programs take, and checked by
// check_options (finish_options without the directory checks, so the fuzzer
// creates no directories). As in the programs' main(), a CLI11 error is turned
// into its message (app.exit, here into a string) and a bad value into
// std::invalid_argument; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "examples/common/options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace xgrad::examples;
    // argv[0], then one argument per line ("--epochs\n3\n--arch\nmlp").
    std::vector<std::string> args{"cgan_mnist"};
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
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());

    CLI::App app{"cgan_mnist"};
    GanOptions opt;
    add_common_options(app, opt);
    add_cgan_loss_options(app, opt);
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
        std::ostringstream out, err;
        app.exit(e, out, err);  // what the user would see (help text, or the error)
        return 0;
    }
    try {
        check_options(opt, "cgan_mnist");
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
