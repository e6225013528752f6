// replay_main.cpp — the regression driver of the fuzz targets in normal builds:
// feeds every file of the given directories (the kept corpus and the crash inputs
// found while fuzzing) to LLVMFuzzerTestOneInput once, as libFuzzer would. A
// finding that comes back crashes or trips a sanitizer here, so `meson test` fails.
//
//   fuzz_idx_replay tests/fuzz/corpus/fuzz_idx [more directories or files]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <corpus directory or file>...\n", argv[0]);
        return 2;
    }
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg = argv[i];
        if (fs::is_directory(arg)) {
            for (const auto& entry : fs::directory_iterator(arg))
                if (entry.is_regular_file()) inputs.push_back(entry.path());
        } else if (fs::is_regular_file(arg)) {
            inputs.push_back(arg);
        } else {
            std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
            return 2;
        }
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "no inputs found in the given directories\n");
        return 2;  // an empty corpus would make this test pass without testing anything
    }
    std::sort(inputs.begin(), inputs.end());  // the same order every run
    for (const fs::path& path : inputs) {
        std::ifstream in(path, std::ios::binary);
        const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
        // An empty vector's data() may be null; libFuzzer passes a valid pointer.
        if (data.empty()) data.reserve(1);
        LLVMFuzzerTestOneInput(data.data(), data.size());
    }
    std::printf("replayed %zu inputs\n", inputs.size());
    return 0;
}
