// bench_micro.cpp — micro-benchmarks of the parts a training step is made of:
//   tape      the cost of recording and walking one small op (a chain of them);
//   elementwise  throughput of the elementwise kernels on a large array;
//   linear    forward + backward of one Linear layer against its three sgemm calls alone.
// Every figure is a median over repeated runs (the machine may be shared).
//
//   bench_micro [--threads N]
#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "counters.hpp"
#include "examples/common/blas_info.hpp"
#include "nn/nn.hpp"

using namespace xgrad;

namespace {

// Median seconds of `runs` calls of f (after one untimed call).
double median_seconds(int runs, const std::function<void()>& f) {
    f();
    std::vector<double> t;
    for (int r = 0; r < runs; ++r) {
        const double t0 = bench::now_seconds();
        f();
        t.push_back(bench::now_seconds() - t0);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

// A chain of `ops` small ops (alternately y * 1.0001 and y + 0.5) on an (8,) tensor.
void bench_tape() {
    constexpr int ops = 200;
    const Tensor x(Array::from_shape({8}), true);
    auto chain = [&] {
        Tensor y = x;
        for (int i = 0; i < ops; i += 2) y = y * 1.0001f + 0.5f;
        return sum(y);
    };
    const double fwd_nograd = median_seconds(51, [&] {
        NoGrad no_grad;
        chain();
    });
    const double fwd = median_seconds(51, [&] {
        chain();
        clear_tape();
    });
    const double both = median_seconds(51, [&] { chain().backward(); });
    const std::uint64_t m0 = bench::malloc_calls();
    chain().backward();
    const double mallocs = double(bench::malloc_calls() - m0) / (ops + 1);
    std::printf("tape: chain of %d small ops on (8,) tensors, per op:\n", ops + 1);
    std::printf("  forward, not recording (NoGrad) %8.0f ns\n", 1e9 * fwd_nograd / (ops + 1));
    std::printf("  forward, recording              %8.0f ns\n", 1e9 * fwd / (ops + 1));
    std::printf("  forward + backward              %8.0f ns\n", 1e9 * both / (ops + 1));
    if (bench::malloc_counting()) std::printf("  malloc calls per op (forward + backward): %.1f\n", mallocs);
    std::printf("\n");
}

// Elementwise forward kernels on n = 2^20 floats (4 MiB per array), no recording.
void bench_elementwise() {
    constexpr std::size_t rows = 1024, cols = 1024, n = rows * cols;
    Generator g(1);
    const Tensor a(g.normal_array({rows, cols})), b(g.normal_array({rows, cols})), bias(g.normal_array({cols}));
    NoGrad no_grad;
    struct Case {
        const char* name;
        int arrays;  // arrays of n floats read + written
        std::function<void()> run;
    };
    std::vector<float> pa(a.value().begin(), a.value().end()), pb(b.value().begin(), b.value().end()), pc(n);
    const std::vector<Case> cases = {
        {"plain loop c = a + b (baseline)", 3,
         [&] {
             for (std::size_t i = 0; i < n; ++i) pc[i] = pa[i] + pb[i];
         }},
        {"add(a, b)", 3, [&] { add(a, b); }},
        {"add(a, bias row)", 2, [&] { add(a, bias); }},
        {"mul(a, b)", 3, [&] { mul(a, b); }},
        {"mul(a, 0.5)", 2, [&] { mul(a, 0.5f); }},
        {"relu(a)", 2, [&] { relu(a); }},
        {"sigmoid(a)", 2, [&] { sigmoid(a); }},
        {"tanh(a)", 2, [&] { xgrad::tanh(a); }},
        {"exp(a)", 2, [&] { xgrad::exp(a); }},
    };
    std::printf("elementwise: forward on (%zu, %zu) float arrays, no recording\n", rows, cols);
    std::printf("  %-34s %10s %12s %10s\n", "op", "ms", "Melem/s", "GB/s");
    for (const Case& c : cases) {
        const double s = median_seconds(21, c.run);
        std::printf("  %-34s %10.3f %12.0f %10.2f\n", c.name, 1e3 * s, n / s / 1e6, c.arrays * 4.0 * n / s / 1e9);
    }
    std::printf("\n");
}

// One Linear(in -> out) layer at batch N: forward + backward (dx, dW, db) against its sgemm calls alone.
void bench_linear(std::size_t N, std::size_t in, std::size_t out) {
    Generator g(1);
    nn::Linear layer(in, out, g);
    const Tensor x(g.normal_array({N, in}), true);
    const Array seed = g.normal_array({N, out});
    const double both = median_seconds(21, [&] {
        layer.zero_grad();
        layer(x).backward(seed);
    });
    std::vector<float> A(N * std::max(in, out), 0.01f), B(in * out, 0.02f), C(std::max(N, out) * in, 0.0f);
    const double gemms = median_seconds(21, [&] {
        // y = x · Wᵀ, dx = g · W, dW = gᵀ · x, as autodiff/ops_linalg.cpp calls them
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(N), int(out), int(in), 1.0f, A.data(), int(in),
                    B.data(), int(in), 1.0f, C.data(), int(out));
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(N), int(in), int(out), 1.0f, A.data(), int(out),
                    B.data(), int(in), 0.0f, C.data(), int(in));
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(out), int(in), int(N), 1.0f, A.data(), int(out),
                    A.data(), int(in), 0.0f, C.data(), int(in));
    });
    const double flops = 6.0 * double(N) * double(in) * double(out);
    std::printf("  Linear(%4zu -> %4zu) at batch %3zu: forward + backward %8.3f ms (%6.1f GFLOP/s), "
                "its 3 sgemm alone %8.3f ms (%6.1f GFLOP/s): %3.0f%%\n",
                in, out, N, 1e3 * both, flops / both / 1e9, 1e3 * gemms, flops / gemms / 1e9, 100 * gemms / both);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--threads") {
        openblas_set_num_threads(std::atoi(argv[2]));
    } else if (argc != 1) {
        std::fprintf(stderr, "usage: bench_micro [--threads N]\n");
        return 2;
    }
    examples::print_blas_start("bench_micro");
    std::printf("OpenBLAS threads %d\n\n", openblas_get_num_threads());
    bench_tape();
    bench_elementwise();
    std::printf("linear: forward + backward with dx, dW, db (the seed gradient given)\n");
    for (std::size_t N : {16, 64, 256}) bench_linear(N, 1024, 1024);
    bench_linear(64, 794, 1024);
    bench_linear(64, 1024, 784);
    return 0;
}
