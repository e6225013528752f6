// The answers to task 11's questions (docs/course.md#task-11), computed with the library's own code.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"
#include "autodiff/kernels.hpp"

using namespace xgrad;
using xgrad::kernels::Window2d;

int main() {
    std::printf("1. How many times is each pixel of a 5x5 image copied into im2col's columns (3x3 kernel, stride 1)?\n");
    const Window2d win{1, 5, 5, 3, 1, 0, 1};
    Array ones = Array::from_shape({win.col_rows(), win.col_cols()});
    std::fill(ones.begin(), ones.end(), 1.0f);
    Array count = Array::from_shape({5, 5});
    std::fill(count.begin(), count.end(), 0.0f);
    kernels::col2im(ones.data(), win, count.data());  // col2im of ones counts the windows each pixel is in
    for (std::size_t i = 0; i < 5; ++i) {
        std::printf("   ");
        for (std::size_t j = 0; j < 5; ++j) std::printf("%2g", static_cast<double>(count(i, j)));
        std::printf("\n");
    }
    std::printf("   col2im of all ones counts them: a corner is in 1 window, the centre in 9. The same counts\n"
                "   are how many gradient entries col2im adds into each pixel of dx.\n");

    std::printf("2. The column matrix of one 28x28 image with 32 channels, 3x3 kernel, padding 1:\n");
    const Window2d big{32, 28, 28, 3, 1, 1, 1};
    std::printf("   %zu x %zu = %zu floats, against %zu in the image: %.1f times\n", big.col_rows(), big.col_cols(),
                big.col_rows() * big.col_cols(), std::size_t{32 * 28 * 28},
                static_cast<double>(big.col_rows() * big.col_cols()) / (32.0 * 28 * 28));
    std::printf("   Each pixel is copied once per tap of the kernel: kh * kw = 9 times (fewer at the border).\n");

    std::printf("3. Is conv2d's input gradient a convolution too?\n");
    Generator gen(5);
    Tensor x(gen.normal_array({2, 3, 7, 6}), true);
    const Tensor w(gen.normal_array({4, 3, 3, 3}));
    const Array g = gen.normal_array({2, 4, 4, 3});
    backward(conv2d(x, w, Tensor(), 2, 1, 1), g);
    const Tensor t = conv_transpose2d(Tensor(g), w, Tensor(), 2, 1, {0, 1}, 1);
    float diff = 0.0f;
    for (std::size_t i = 0; i < t.size(); ++i) diff = std::max(diff, std::abs(t.value().data()[i] - x.grad().data()[i]));
    std::printf("   conv2d's dx and conv_transpose2d(g, W) with the same stride and padding (output_padding\n"
                "   (0, 1) gives back the width 6 that stride 2 rounded away): shapes %s and %s,\n"
                "   largest difference %.1e\n",
                shape_str(x.grad().shape()).c_str(), shape_str(t.shape()).c_str(), static_cast<double>(diff));
    std::printf("   col2im(W^T g) is exactly a transposed convolution of g: the op a DCGAN generator upsamples with.\n");
    return 0;
}
