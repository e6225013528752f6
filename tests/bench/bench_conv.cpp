// bench_conv.cpp — conv2d and conv_transpose2d, forward and backward, at the
// shapes of a small DCGAN on 28×28 images: batch 64, 4×4 kernels, stride 2,
// padding 1.
//
//   D1  discriminator  conv2d            (64,   1, 28, 28) → (64,  64, 14, 14)
//   D2  discriminator  conv2d            (64,  64, 14, 14) → (64, 128,  7,  7)
//   G1  generator      conv_transpose2d  (64, 128,  7,  7) → (64,  64, 14, 14)
//   G2  generator      conv_transpose2d  (64,  64, 14, 14) → (64,   1, 28, 28)
//
// One step = the op's forward, then backward from a fixed random seed gradient,
// computing the gradients of the input, the weight and the bias (the input's
// gradient is dropped before each step, as an intermediate's would be; the
// weight's and bias's are zeroed with zero_grad(), as in training). Rounds of
// the forward alone and of the whole step alternate; medians are reported,
// because the machine may be shared; with --machine also the median CPU time
// of a step (all threads of the process), for one-thread runs on a loaded machine.
//
// Where the step's time goes, measured inside the ops as they run: the time in
// cblas_sgemm (counters.cpp times every call), in kernels::im2col and in
// kernels::col2im (conv_timers.cpp wraps them at link time), and the rest
// (allocations, zero fills, bias, gradient accumulation, the tape). Shares are
// of the summed time of all timed steps.
//
//   bench_conv [--batch 64] [--rounds 7] [--iters 5] [--warmup 2] [--threads N]
//              [--layers D1,D2,G1,G2] [--machine] [--step-only] [--products]
// --machine prints one `key=value ...` line per layer (compare_torch.py reads them);
// --step-only skips the forward-alone rounds (for running under a profiler).
// --products times each layer's sgemm calls alone instead: per image, as the ops make them,
// against 16 and all images per call (the operands' images side by side), in wall-clock and
// CPU time — what one product for several images would gain.
#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "conv_timers.hpp"
#include "counters.hpp"
#include "examples/common/blas_info.hpp"
#include "nn/nn.hpp"

using namespace xgrad;

namespace {

constexpr std::size_t kKernel = 4, kStride = 2, kPadding = 1;

struct Layer {
    const char* name;
    bool transposed;  // conv_transpose2d (the generator) or conv2d (the discriminator)
    std::size_t in_channels, out_channels, in_size;

    // 4×4, stride 2, padding 1: conv2d halves the side, conv_transpose2d doubles it.
    std::size_t out_size() const {
        return transposed ? (in_size - 1) * kStride - 2 * kPadding + kKernel
                          : (in_size + 2 * kPadding - kKernel) / kStride + 1;
    }
    const char* op() const { return transposed ? "conv_transpose2d" : "conv2d"; }
};

constexpr Layer kLayers[] = {
    {"D1", false, 1, 64, 28},
    {"D2", false, 64, 128, 14},
    {"G1", true, 128, 64, 7},
    {"G2", true, 64, 1, 14},
};

struct Options {
    std::size_t batch = 64;
    int rounds = 7, iters = 5, warmup = 2, threads = 0;
    std::vector<std::string> layers;  // empty: all
    bool machine = false;
    bool step_only = false;
    bool products = false;  // the sgemm calls alone instead of the ops
};

// The op's input, parameters and seed gradient, drawn once per layer.
struct Case {
    Tensor x, weight, bias;
    Array seed;

    Case(const Layer& l, std::size_t batch) {
        Generator g(7);
        x = Tensor(g.normal_array({batch, l.in_channels, l.in_size, l.in_size}), true);
        // conv2d's weight is (out, in, kh, kw); conv_transpose2d's is (in, out, kh, kw), as PyTorch's.
        const Shape w_shape = l.transposed ? Shape{l.in_channels, l.out_channels, kKernel, kKernel}
                                           : Shape{l.out_channels, l.in_channels, kKernel, kKernel};
        weight = Tensor(g.uniform_array(w_shape, -0.1f, 0.1f), true);
        bias = Tensor(g.uniform_array({l.out_channels}, -0.1f, 0.1f), true);
        seed = g.normal_array({batch, l.out_channels, l.out_size(), l.out_size()});
    }
};

Tensor forward(const Layer& l, const Case& c) {
    return l.transposed ? conv_transpose2d(c.x, c.weight, c.bias, kStride, kPadding)
                        : conv2d(c.x, c.weight, c.bias, kStride, kPadding);
}

void step(const Layer& l, Case& c) {
    c.x.node()->grad = Array();  // no input gradient yet, as for an intermediate result
    c.x.node()->has_grad = false;
    c.weight.zero_grad();
    c.bias.zero_grad();
    forward(l, c).backward(c.seed);
}

void forward_only(const Layer& l, const Case& c) {
    forward(l, c);
    clear_tape();
}

// The time the step spent in each piece, summed over the timed steps.
struct Pieces {
    double sgemm = 0, im2col = 0, col2im = 0;
    std::uint64_t sgemm_calls = 0, im2col_calls = 0, col2im_calls = 0, flops = 0;

    static Pieces now() {
        return {bench::sgemm_seconds(), bench::im2col_seconds(), bench::col2im_seconds(), bench::sgemm_calls(),
                bench::im2col_calls(), bench::col2im_calls(), bench::sgemm_flops()};
    }
    Pieces since(const Pieces& before) const {
        return {sgemm - before.sgemm,
                im2col - before.im2col,
                col2im - before.col2im,
                sgemm_calls - before.sgemm_calls,
                im2col_calls - before.im2col_calls,
                col2im_calls - before.col2im_calls,
                flops - before.flops};
    }
    void add(const Pieces& p) {
        sgemm += p.sgemm, im2col += p.im2col, col2im += p.col2im;
        sgemm_calls += p.sgemm_calls, im2col_calls += p.im2col_calls, col2im_calls += p.col2im_calls;
        flops += p.flops;
    }
};

void bench_layer(const Options& opt, const Layer& l) {
    Case c(l, opt.batch);
    for (int i = 0; i < opt.warmup; ++i) step(l, c);
    std::vector<double> step_ms, step_cpu_ms, fwd_ms;
    Pieces in_steps;
    double step_total = 0;
    for (int r = 0; r < opt.rounds; ++r) {
        for (int i = 0; i < opt.iters; ++i) {
            const Pieces before = Pieces::now();
            const double t0 = bench::now_seconds(), c0 = bench::cpu_seconds();
            step(l, c);
            const double s = bench::now_seconds() - t0;
            step_cpu_ms.push_back(1e3 * (bench::cpu_seconds() - c0));
            in_steps.add(Pieces::now().since(before));
            step_total += s;
            step_ms.push_back(1e3 * s);
        }
        for (int i = 0; i < opt.iters && !opt.step_only; ++i) {
            const double t0 = bench::now_seconds();
            forward_only(l, c);
            fwd_ms.push_back(1e3 * (bench::now_seconds() - t0));
        }
    }
    if (fwd_ms.empty()) fwd_ms.push_back(0.0);
    const double n = double(step_ms.size());
    const double ms = bench::median(step_ms), ms_fwd = bench::median(fwd_ms);
    const double share_gemm = in_steps.sgemm / step_total, share_im2col = in_steps.im2col / step_total,
                 share_col2im = in_steps.col2im / step_total;
    const double share_rest = 1.0 - share_gemm - share_im2col - share_col2im;
    const double gflop = double(in_steps.flops) / n / 1e9;
    const double gemm_gflops = double(in_steps.flops) / in_steps.sgemm / 1e9;
    if (opt.machine) {
        std::printf("conv layer=%s op=%s batch=%zu threads=%d steps=%zu ms=%.4f ms_min=%.4f cpu_ms=%.4f fwd_ms=%.4f "
                    "gflop=%.6f sgemm_share=%.4f im2col_share=%.4f col2im_share=%.4f rest_share=%.4f "
                    "sgemm_gflops=%.3f sgemm_calls=%.0f im2col_calls=%.0f col2im_calls=%.0f\n",
                    l.name, l.op(), opt.batch, openblas_get_num_threads(), step_ms.size(), ms,
                    *std::min_element(step_ms.begin(), step_ms.end()), bench::median(step_cpu_ms), ms_fwd, gflop, share_gemm, share_im2col,
                    share_col2im, share_rest, gemm_gflops, double(in_steps.sgemm_calls) / n,
                    double(in_steps.im2col_calls) / n, double(in_steps.col2im_calls) / n);
    } else {
        std::printf("%-3s %-16s %3zu→%-3zu %2zu→%-2zu %9.3f %9.3f %7.3f %9.1f %6.1f%% %6.1f%% %6.1f%% %6.1f%%  "
                    "%.0f/%.0f/%.0f\n",
                    l.name, l.op(), l.in_channels, l.out_channels, l.in_size, l.out_size(), ms_fwd, ms, gflop,
                    gemm_gflops, 100 * share_gemm, 100 * share_im2col, 100 * share_col2im, 100 * share_rest,
                    double(in_steps.sgemm_calls) / n, double(in_steps.im2col_calls) / n,
                    double(in_steps.col2im_calls) / n);
    }
    std::fflush(stdout);
}

// ---- --products: the layer's sgemm calls alone, per image (as the ops make them) or for
// several images at once. Each product has one dimension P (output positions of conv2d, input
// positions of conv_transpose2d); for `group` images at once it is group·P, and the operands
// that have it hold those images side by side: (rows, group·P) blocks, one after the other.
struct Product {
    bool trans_a, trans_b;
    std::size_t m, n, k;  // per image
    bool p_is_n;          // P is n (else k: the weight gradient, summed over the positions)
    bool accumulate;
};

std::vector<Product> layer_products(const Layer& l) {
    const std::size_t taps = kKernel * kKernel;
    const std::size_t out = l.out_size();
    if (!l.transposed) {  // K = C·16 rows of im2col, P = OH·OW
        const std::size_t O = l.out_channels, K = l.in_channels * taps, P = out * out;
        return {{false, false, O, P, K, true, false},    // y_n = W · cols_n
                {false, true, O, K, P, false, true},     // dW += g_n · cols_nᵀ
                {true, false, K, P, O, true, false}};    // dcols_n = Wᵀ · g_n
    }
    const std::size_t C = l.in_channels, K = l.out_channels * taps, P = l.in_size * l.in_size;
    return {{true, false, K, P, C, true, false},         // cols_n = Wᵀ · x_n
            {false, false, C, P, K, true, false},        // dx_n = W · im2col(g_n)
            {false, true, C, K, P, false, true}};        // dW += x_n · im2col(g_n)ᵀ
}

// All the layer's products for a batch, `group` images per sgemm call.
void run_products(const std::vector<Product>& list, std::size_t batch, std::size_t group, std::vector<float>& a,
                  std::vector<float>& b, std::vector<float>& c) {
    for (const Product& p : list) {
        const std::size_t P = p.p_is_n ? p.n : p.k;
        const std::size_t m = p.m, n = p.p_is_n ? group * P : p.n, k = p.p_is_n ? p.k : group * P;
        for (std::size_t first = 0; first < batch; first += group) {
            // The operands with P start at this group's block; the weight-like ones are shared.
            const std::size_t a_off = p.p_is_n ? 0 : first * m * P, b_off = first * (p.p_is_n ? k : n) * P;
            const std::size_t c_off = p.p_is_n ? first * m * P : 0;
            cblas_sgemm(CblasRowMajor, p.trans_a ? CblasTrans : CblasNoTrans, p.trans_b ? CblasTrans : CblasNoTrans,
                        int(m), int(n), int(k), 1.0f, a.data() + a_off, p.trans_a ? int(m) : int(k),
                        b.data() + b_off, p.trans_b ? int(k) : int(n), p.accumulate ? 1.0f : 0.0f,
                        c.data() + c_off, int(n));
        }
    }
}

void bench_products(const Options& opt, const Layer& l) {
    const std::vector<Product> list = layer_products(l);
    std::size_t a_size = 0, b_size = 0, c_size = 0;  // the largest each operand gets
    for (const Product& p : list) {
        const std::size_t P = p.p_is_n ? p.n : p.k;
        a_size = std::max(a_size, p.p_is_n ? p.m * p.k : opt.batch * p.m * P);
        b_size = std::max(b_size, opt.batch * (p.p_is_n ? p.k : p.n) * P);
        c_size = std::max(c_size, p.p_is_n ? opt.batch * p.m * P : p.m * p.n);
    }
    std::vector<float> a(a_size, 0.01f), b(b_size, 0.02f), c(c_size, 0.0f);
    std::vector<std::size_t> groups{1};
    for (std::size_t g : {std::size_t(16), opt.batch})
        if (g > 1 && g <= opt.batch && opt.batch % g == 0 && g != groups.back()) groups.push_back(g);
    std::vector<std::vector<double>> wall(groups.size()), cpu(groups.size());
    for (std::size_t i = 0; i < groups.size(); ++i) run_products(list, opt.batch, groups[i], a, b, c);  // warm-up
    for (int r = 0; r < opt.rounds * opt.iters; ++r) {
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const double t0 = bench::now_seconds(), c0 = bench::cpu_seconds();
            run_products(list, opt.batch, groups[i], a, b, c);
            cpu[i].push_back(1e3 * (bench::cpu_seconds() - c0));
            wall[i].push_back(1e3 * (bench::now_seconds() - t0));
        }
    }
    std::printf("%-3s %-16s", l.name, l.op());
    for (std::size_t i = 0; i < groups.size(); ++i)
        std::printf("  %2zu image%s per sgemm: %8.3f ms (CPU %8.3f ms)", groups[i], groups[i] == 1 ? " " : "s",
                    bench::median(wall[i]), bench::median(cpu[i]));
    std::printf("\n");
    std::fflush(stdout);
}

Options parse(int argc, char** argv) {
    Options o;
    bench::Args args(argc, argv);
    while (args.next()) {
        if (args.is("--batch")) o.batch = std::size_t(args.number(1));
        else if (args.is("--rounds")) o.rounds = args.number(1);
        else if (args.is("--iters")) o.iters = args.number(1);
        else if (args.is("--warmup")) o.warmup = args.number(0);
        else if (args.is("--threads")) o.threads = args.number(0);
        else if (args.is("--layers")) o.layers = args.names();
        else if (args.is("--machine")) o.machine = true;
        else if (args.is("--step-only")) o.step_only = true;
        else if (args.is("--products")) o.products = true;
        else args.unknown("tests/bench/bench_conv.cpp");
    }
    for (const std::string& name : o.layers) {
        if (std::none_of(std::begin(kLayers), std::end(kLayers), [&](const Layer& l) { return name == l.name; }))
            throw std::invalid_argument("--layers: '" + name + "' is not one of D1, D2, G1, G2");
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = bench::options_or_exit("bench_conv", parse, argc, argv);
    if (opt.threads > 0) openblas_set_num_threads(opt.threads);
    if (opt.products) {
        examples::print_blas_start("bench_conv");
        std::printf("each layer's 3 kinds of sgemm calls alone, at batch %zu: per image (as the ops make them), or "
                    "for several images in one call;\nmedian of %d rounds, alternating\n\n",
                    opt.batch, opt.rounds * opt.iters);
        for (const Layer& l : kLayers) {
            if (opt.layers.empty() || std::find(opt.layers.begin(), opt.layers.end(), l.name) != opt.layers.end())
                bench_products(opt, l);
        }
        return 0;
    }
    if (!opt.machine) {
        examples::print_blas_start("bench_conv");
        std::printf("DCGAN convolutions at batch %zu, 4×4 kernels, stride 2, padding 1; OpenBLAS threads %d;\n"
                    "median of %d steps (forward + backward: input, weight and bias gradients), alternating with\n"
                    "the forward alone; shares of the steps' summed time inside sgemm, im2col, col2im, the rest\n\n",
                    opt.batch, openblas_get_num_threads(), opt.rounds * opt.iters);
        std::printf("%-3s %-16s %-7s %-5s %9s %9s %7s %9s %7s %7s %7s %7s  %s\n", "", "op", "chan", "side",
                    "fwd ms", "step ms", "GFLOP", "sgemm GF/s", "sgemm", "im2col", "col2im", "rest",
                    "calls sgemm/im2col/col2im");
    }
    for (const Layer& l : kLayers) {
        if (opt.layers.empty() || std::find(opt.layers.begin(), opt.layers.end(), l.name) != opt.layers.end())
            bench_layer(opt, l);
    }
    return 0;
}
