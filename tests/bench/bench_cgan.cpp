// bench_cgan.cpp — benchmark of the reference CGAN training iteration, built
// with the nn layer as a user would write it, beside the same sgemm calls alone.
//
//   generator     [z(100) ‖ onehot(10)] → 128 → 256 → 512 → 1024 → 1024 → 784, ReLU, sigmoid
//   discriminator [x(784) ‖ onehot(10)] → 1024 → 512 → 256 → 128 → 1, ReLU, logit
//   loss bce_with_logits, Adam(lr 2e-4, β1 0.5) for both networks.
//   One iteration = one discriminator step (a real and a generated batch) + one
//   generator step (the discriminator frozen).
//
// For each batch size it prints ms per iteration, samples per second and the
// effective GFLOP/s (the FLOPs of the sgemm calls the iteration really makes,
// counted in counters.cpp, over the iteration's whole time), then the time of
// exactly those sgemm calls run alone, so the rate reads as a fraction of what
// OpenBLAS does at these shapes. Rounds of the two alternate, and medians are
// reported, because the machine may be shared. "fraction" = sgemm-alone time /
// iteration time = effective rate / sgemm-alone rate. First of all (so that no
// other buffers count), steady-state memory at one batch size: mallocs and fresh
// array blocks per iteration after warm-up, resident memory over --memory-iters
// iterations, and the peak resident memory of the program up to then.
//
//   bench_cgan [--batch 16,64,256] [--rounds 7] [--iters 5] [--warmup 5] [--threads N]
//              [--memory-iters 1000] [--memory-batch 64] [--machine] [--iteration-only]
// --machine prints one `key=value ...` line per result (compare_torch.py reads them);
// --iteration-only skips the sgemm-alone rounds, for running under a profiler.
#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "examples/common/blas_info.hpp"
#include "counters.hpp"
#include "nn/nn.hpp"

using namespace xgrad;

namespace {

constexpr std::size_t kZ = 100, kClasses = 10, kPixels = 784;

// ---------------------------------------------------------------- the model

std::shared_ptr<nn::Sequential> make_generator(Generator& init) {
    auto g = std::make_shared<nn::Sequential>();
    const std::size_t sizes[] = {kZ + kClasses, 128, 256, 512, 1024, 1024, kPixels};
    for (std::size_t i = 0; i + 1 < std::size(sizes); ++i) {
        g->add(std::make_shared<nn::Linear>(sizes[i], sizes[i + 1], init));
        if (i + 2 < std::size(sizes)) g->add(std::make_shared<nn::ReLU>());
    }
    g->add(std::make_shared<nn::Sigmoid>());
    return g;
}

std::shared_ptr<nn::Sequential> make_discriminator(Generator& init) {
    auto d = std::make_shared<nn::Sequential>();
    const std::size_t sizes[] = {kPixels + kClasses, 1024, 512, 256, 128, 1};
    for (std::size_t i = 0; i + 1 < std::size(sizes); ++i) {
        d->add(std::make_shared<nn::Linear>(sizes[i], sizes[i + 1], init));
        if (i + 2 < std::size(sizes)) d->add(std::make_shared<nn::ReLU>());  // the last layer gives logits
    }
    return d;
}

struct Cgan {
    Generator init{1};
    std::shared_ptr<nn::Sequential> gen = make_generator(init);
    std::shared_ptr<nn::Sequential> disc = make_discriminator(init);
    nn::Adam opt_gen{gen->named_parameters(), {.lr = 2e-4f, .beta1 = 0.5f}};
    nn::Adam opt_disc{disc->named_parameters(), {.lr = 2e-4f, .beta1 = 0.5f}};
    Generator rng{2};  // noise and labels of the generated batches
};

// One iteration on a real batch x_real (B, 784) with labels y_real (B).
void train_iteration(Cgan& m, const Tensor& x_real, const Indices& y_real) {
    const std::size_t batch = y_real.size();
    const Tensor ones(xt::ones<float>({batch, std::size_t{1}}));
    const Tensor zeros(xt::zeros<float>({batch, std::size_t{1}}));

    const Tensor z(m.rng.normal_array({batch, kZ}));
    Indices y_fake(batch);
    for (auto& y : y_fake) y = m.rng.randint(kClasses);
    const Tensor y_fake_hot = one_hot(y_fake, kClasses);
    const Tensor fake = (*m.gen)(concat({z, y_fake_hot}, 1));  // (B, 784)

    // Discriminator step: real pairs -> 1, generated pairs -> 0 (fake detached).
    const Tensor real_logit = (*m.disc)(concat({x_real, one_hot(y_real, kClasses)}, 1));
    const Tensor fake_logit = (*m.disc)(concat({fake.detach(), y_fake_hot}, 1));
    const Tensor d_loss = bce_with_logits(real_logit, ones) + bce_with_logits(fake_logit, zeros);
    m.opt_disc.zero_grad();
    d_loss.backward();
    m.opt_disc.step();

    // Generator step: the frozen discriminator should call the fakes real.
    m.disc->requires_grad(false);
    const Tensor g_loss = bce_with_logits((*m.disc)(concat({fake, y_fake_hot}, 1)), ones);
    m.opt_gen.zero_grad();
    g_loss.backward();
    m.opt_gen.step();
    m.disc->requires_grad(true);
}

// ---------------------------------------------------------------- the same sgemm calls alone

// One cblas_sgemm as xgrad's linear op makes it (row-major): C (m, n) = op(A) · op(B) (+ C if beta 1).
struct Gemm {
    bool trans_a, trans_b;
    std::size_t m, n, k;
    float beta;
    std::vector<float> a, b, c;  // operands of the right sizes
};

// The sgemm calls of a Linear (N, in) -> (N, out) layer (see autodiff/ops_linalg.cpp):
//   forward  y = x · Wᵀ (+ bias rows): (N, out), k = in, beta 1
//   dx = g · W: (N, in), k = out        dW = gᵀ · x: (out, in), k = N
void add_linear(std::vector<Gemm>& list, std::size_t N, std::size_t in, std::size_t out, bool forward, bool dx,
                bool dw) {
    if (forward) list.push_back({false, true, N, out, in, 1.0f, {}, {}, {}});
    if (dx) list.push_back({false, false, N, in, out, 0.0f, {}, {}, {}});
    if (dw) list.push_back({true, false, out, in, N, 0.0f, {}, {}, {}});
}

// Every sgemm of one train_iteration at batch B, network by network.
std::vector<Gemm> iteration_gemms(std::size_t B) {
    const std::vector<std::size_t> g = {kZ + kClasses, 128, 256, 512, 1024, 1024, kPixels};
    const std::vector<std::size_t> d = {kPixels + kClasses, 1024, 512, 256, 128, 1};
    std::vector<Gemm> list;
    auto forward = [&](const std::vector<std::size_t>& sizes) {
        for (std::size_t i = 0; i + 1 < sizes.size(); ++i) add_linear(list, B, sizes[i], sizes[i + 1], true, false, false);
    };
    forward(g);  // G forward
    forward(d);  // D forward, real
    forward(d);  // D forward, fake
    for (int pass = 0; pass < 2; ++pass) {  // D step backward: no dx for its data input
        for (std::size_t i = 0; i + 1 < d.size(); ++i) add_linear(list, B, d[i], d[i + 1], false, i > 0, true);
    }
    forward(d);  // G step: D forward on the fakes
    for (std::size_t i = 0; i + 1 < d.size(); ++i)  // frozen D: dx only, down to the fakes
        add_linear(list, B, d[i], d[i + 1], false, true, false);
    for (std::size_t i = 0; i + 1 < g.size(); ++i)  // G backward: no dx for [z ‖ y]
        add_linear(list, B, g[i], g[i + 1], false, i > 0, true);
    for (Gemm& e : list) {
        e.a.assign(e.m * e.k, 0.01f);
        e.b.assign(e.k * e.n, 0.02f);
        e.c.assign(e.m * e.n, 0.0f);
    }
    return list;
}

double list_flops(const std::vector<Gemm>& list) {
    double f = 0;
    for (const Gemm& e : list) f += 2.0 * double(e.m) * double(e.n) * double(e.k);
    return f;
}

void run_gemms(std::vector<Gemm>& list) {
    for (Gemm& e : list) {
        cblas_sgemm(CblasRowMajor, e.trans_a ? CblasTrans : CblasNoTrans, e.trans_b ? CblasTrans : CblasNoTrans,
                    blasint(e.m), blasint(e.n), blasint(e.k), 1.0f, e.a.data(), blasint(e.trans_a ? e.m : e.k),
                    e.b.data(), blasint(e.trans_b ? e.k : e.n), e.beta, e.c.data(), blasint(e.n));
    }
}

// ---------------------------------------------------------------- measuring

struct Options {
    std::vector<std::size_t> batches{16, 64, 256};
    int rounds = 7, iters = 5, warmup = 5, threads = 0;
    int memory_iters = 1000;
    std::size_t memory_batch = 64;
    bool machine = false;
    bool iteration_only = false;  // skip the sgemm-alone rounds (for profiling the iteration)
};

struct Data {
    Tensor x;
    Indices y;
};

Data random_batch(std::size_t batch) {
    Generator g(3);
    Data d{Tensor(g.uniform_array({batch, kPixels})), Indices(batch)};
    for (auto& y : d.y) y = g.randint(kClasses);
    return d;
}

// Ms per iteration (median of single iterations), and the sgemm list alone, alternating.
void bench_batch(const Options& opt, std::size_t batch) {
    Cgan m;
    const Data data = random_batch(batch);
    for (int i = 0; i < opt.warmup; ++i) train_iteration(m, data.x, data.y);

    // The FLOPs really run: counted over one iteration, checked against the list.
    const std::uint64_t flops_before = bench::sgemm_flops(), calls_before = bench::sgemm_calls();
    train_iteration(m, data.x, data.y);
    const double flops = double(bench::sgemm_flops() - flops_before);
    const std::uint64_t calls = bench::sgemm_calls() - calls_before;
    std::vector<Gemm> list = iteration_gemms(batch);
    if (flops != list_flops(list) || calls != list.size()) {
        std::fprintf(stderr, "bench_cgan: batch %zu: the iteration ran %llu sgemm calls (%.0f FLOPs), the list "
                     "has %zu (%.0f FLOPs); iteration_gemms() no longer describes the model\n",
                     batch, static_cast<unsigned long long>(calls), flops, list.size(), list_flops(list));
        std::exit(1);
    }
    run_gemms(list);  // warm-up

    std::vector<double> iter_ms, gemm_ms;
    for (int r = 0; r < opt.rounds; ++r) {
        for (int i = 0; i < opt.iters; ++i) {
            const double t0 = bench::now_seconds();
            train_iteration(m, data.x, data.y);
            iter_ms.push_back(1e3 * (bench::now_seconds() - t0));
        }
        for (int i = 0; i < opt.iters && !opt.iteration_only; ++i) {
            const double t0 = bench::now_seconds();
            run_gemms(list);
            gemm_ms.push_back(1e3 * (bench::now_seconds() - t0));
        }
    }
    if (gemm_ms.empty()) gemm_ms.push_back(0.0);
    const double ms = bench::median(iter_ms), ms_gemm = bench::median(gemm_ms);
    const double gflops = flops / (ms * 1e-3) / 1e9, gflops_gemm = flops / (ms_gemm * 1e-3) / 1e9;
    if (opt.machine) {
        std::printf("cgan batch=%zu threads=%d samples=%zu ms=%.4f ms_min=%.4f gemm_ms=%.4f gflop=%.6f "
                    "gflops=%.3f gemm_gflops=%.3f sgemm_calls=%zu peak_rss_mib=%.1f\n",
                    batch, openblas_get_num_threads(), iter_ms.size(), ms,
                    *std::min_element(iter_ms.begin(), iter_ms.end()), ms_gemm, flops / 1e9, gflops, gflops_gemm,
                    list.size(), bench::peak_rss_mib());
    } else if (opt.iteration_only) {
        std::printf("%6zu %10.2f %10.0f %9.3f %8.1f %10s %9s %9s\n", batch, ms, batch / (ms * 1e-3), flops / 1e9,
                    gflops, "-", "-", "-");
    } else {
        std::printf("%6zu %10.2f %10.0f %9.3f %8.1f %10.2f %9.1f %8.0f%%\n", batch, ms, batch / (ms * 1e-3),
                    flops / 1e9, gflops, ms_gemm, gflops_gemm, 100.0 * ms_gemm / ms);
    }
    std::fflush(stdout);
}

// Steady state: after warm-up, what one iteration allocates, and resident memory over many.
void bench_memory(const Options& opt) {
    Cgan m;
    const Data data = random_batch(opt.memory_batch);
    for (int i = 0; i < 20; ++i) train_iteration(m, data.x, data.y);
    reset_allocator_stats();
    const std::uint64_t mallocs_before = bench::malloc_calls();
    const double rss_start = bench::current_rss_mib();
    double rss_min = rss_start, rss_max = rss_start;
    std::vector<std::pair<int, double>> samples;
    for (int i = 1; i <= opt.memory_iters; ++i) {
        train_iteration(m, data.x, data.y);
        const double rss = bench::current_rss_mib();
        rss_min = std::min(rss_min, rss);
        rss_max = std::max(rss_max, rss);
        if (i % std::max(1, opt.memory_iters / 5) == 0) samples.emplace_back(i, rss);
    }
    const double n = std::max(1, opt.memory_iters);
    const AllocatorStats s = allocator_stats();
    const double mallocs = double(bench::malloc_calls() - mallocs_before) / n;
    if (opt.machine) {
        std::printf("memory batch=%zu iters=%d mallocs_per_iter=%.2f system_blocks_per_iter=%.4f "
                    "cached_blocks_per_iter=%.2f rss_start_mib=%.1f rss_min_mib=%.1f rss_max_mib=%.1f "
                    "peak_rss_mib=%.1f\n",
                    opt.memory_batch, opt.memory_iters, mallocs, double(s.from_system) / n, double(s.from_cache) / n,
                    rss_start, rss_min, rss_max, std::max(bench::peak_rss_mib(), rss_max));
        return;
    }
    std::printf("steady state, batch %zu, %d iterations after 20 warm-up iterations:\n", opt.memory_batch,
                opt.memory_iters);
    if (bench::malloc_counting())
        std::printf("  malloc calls per iteration (all sizes, whole process): %.2f\n", mallocs);
    else
        std::printf("  malloc calls per iteration: not counted (AddressSanitizer build)\n");
    std::printf("  array blocks >= %zu bytes per iteration: %.4f from the system, %.2f from the cache\n",
                kMinCachedBytes, double(s.from_system) / n, double(s.from_cache) / n);
    std::printf("  resident memory: %.1f MiB at the start, min %.1f, max %.1f;", rss_start, rss_min, rss_max);
    for (auto [i, rss] : samples) std::printf(" %d: %.1f", i, rss);
    std::printf("\n  peak resident memory of the program so far: %.1f MiB\n",
                std::max(bench::peak_rss_mib(), rss_max));
}

Options parse(int argc, char** argv) {
    Options o;
    bench::Args args(argc, argv);
    while (args.next()) {
        if (args.is("--batch")) o.batches = args.sizes();
        else if (args.is("--rounds")) o.rounds = args.number(1);
        else if (args.is("--iters")) o.iters = args.number(1);
        else if (args.is("--warmup")) o.warmup = args.number(0);
        else if (args.is("--threads")) o.threads = args.number(0);
        else if (args.is("--memory-iters")) o.memory_iters = args.number(0);
        else if (args.is("--memory-batch")) o.memory_batch = std::size_t(args.number(1));
        else if (args.is("--machine")) o.machine = true;
        else if (args.is("--iteration-only")) o.iteration_only = true;
        else args.unknown("tests/bench/bench_cgan.cpp");
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = bench::options_or_exit("bench_cgan", parse, argc, argv);
    if (opt.threads > 0) openblas_set_num_threads(opt.threads);
    if (!opt.machine) examples::print_blas_start("bench_cgan");
    if (opt.memory_iters > 0) bench_memory(opt);
    if (!opt.machine) {
        std::printf("\nreference CGAN iteration (D step on a real and a generated batch + G step), OpenBLAS "
                    "threads %d;\nmedian of %d timed iterations, alternating with the same sgemm calls alone\n\n",
                    openblas_get_num_threads(), opt.rounds * opt.iters);
        std::printf("%6s %10s %10s %9s %8s %10s %9s %9s\n", "batch", "ms/iter", "samples/s", "GFLOP", "GFLOP/s",
                    "sgemm ms", "GFLOP/s", "fraction");
    }
    for (std::size_t b : opt.batches) bench_batch(opt, b);
    return 0;
}
