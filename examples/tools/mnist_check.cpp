// mnist_check.cpp — load both splits of an MNIST-format directory with every check
// the examples' loader makes, and say what the data is.
//
//   usage: mnist_check [DIR]        (DIR defaults to $XGRAD_DATA, else data/mnist)
//   exit status 0 when both splits load, 1 otherwise (the message names the file and the problem)
#include <array>
#include <cstdio>
#include <exception>
#include <string>

#include "examples/common/idx.hpp"

int main(int argc, char** argv) {
    if (argc > 2) {
        std::fprintf(stderr, "usage: mnist_check [DIR]\n");
        return 2;
    }
    const std::filesystem::path dir = argc == 2 ? std::filesystem::path(argv[1]) : xgrad::data::default_mnist_dir();
    try {
        for (const char* split : {"train", "test"}) {
            const xgrad::data::Dataset set = xgrad::data::load_mnist_dir(dir, split);
            std::array<std::size_t, 10> per_digit{};
            for (std::size_t label : set.labels) ++per_digit[label];
            std::printf("%-5s %zu images %zux%zu from %s\n      per label:", split, set.size(), set.rows, set.cols,
                        set.source.c_str());
            for (std::size_t d = 0; d < 10; ++d) std::printf(" %zu:%zu", d, per_digit[d]);
            std::printf("\n");
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mnist_check: %s\n", e.what());
        return 1;
    }
}
