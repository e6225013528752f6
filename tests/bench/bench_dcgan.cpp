// bench_dcgan.cpp — benchmark of one training iteration of `cgan_mnist --arch dcgan`:
// the programs' own networks (examples/common/models.cpp) and their own step
// (examples::train_step in examples/common/cgan_step.cpp), not copies of them.
//
//   generator      [z(100) ‖ onehot(10)] → Linear → (64, 7, 7), BatchNorm2d, ReLU
//                  → upsample ×2, Conv2d 3×3 → (32, 14, 14), BatchNorm2d, ReLU
//                  → upsample ×2, Conv2d 3×3 → (1, 28, 28), tanh
//   discriminator  (1, 28, 28) → Conv2d 4×4 stride 2 → (32, 14, 14), LeakyReLU(0.2)
//                  → Conv2d 4×4 stride 2 → (64, 7, 7), LeakyReLU(0.2) → φ(x) (3136)
//                  → Linear → logit, + embed(y) · φ(x) (the projection of the label)
//   loss bce_with_logits, Adam(lr 2e-4, β1 0.5) for both networks: cgan_mnist's defaults.
//   One iteration = one discriminator step (a real and a generated batch) + one
//   generator step (the discriminator frozen), exactly as cgan_mnist trains.
// The "real" batch is uniform noise in [-1, 1] with random labels, fixed for the run
// (the time does not depend on what the pixels show).
//
// For each batch size it prints the median ms per iteration (and the fastest), the
// median CPU time of an iteration (all threads of the process: on a loaded machine it
// moves far less than the wall clock), samples per second, the FLOPs of the sgemm
// calls an iteration makes and the share of its time spent inside them (counters.cpp
// counts and times every call), and what an iteration allocates once warmed up:
// malloc calls, and array blocks xgrad's cache had to get from the system (0 = none).
//
//   bench_dcgan [--batch 64] [--rounds 7] [--iters 5] [--warmup 5] [--threads N] [--machine]
// --machine prints one `key=value ...` line per batch size (compare_torch.py --dcgan reads them).
#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "bench_options.hpp"
#include "counters.hpp"
#include "examples/common/blas_info.hpp"
#include "examples/common/gan_step.hpp"
#include "examples/common/models.hpp"
#include "nn/nn.hpp"

using namespace xgrad;

namespace {

constexpr std::size_t kPixels = 784;

struct Options {
    std::vector<std::size_t> batches{64};
    int rounds = 7, iters = 5, warmup = 5, threads = 0;
    bool machine = false;
};

// The networks, optimizers and settings cgan_mnist builds for --arch dcgan (see
// examples/cgan_mnist.cpp), with its default options.
struct DcganCgan {
    examples::GanOptions opt;  // z_dim 100, lr 2e-4, beta1 0.5, loss weights 1 / 1 / 0 / 0
    Generator rng{1};          // draws the weights, then the noise and labels of each step
    std::shared_ptr<examples::GeneratorNet> gen =
        examples::make_generator(examples::Arch::dcgan, std::size_t(opt.z_dim), examples::kClasses, rng);
    std::shared_ptr<examples::DiscriminatorNet> disc =
        examples::make_discriminator(examples::Arch::dcgan, examples::kClasses, 0, rng, rng);
    nn::Adam opt_gen{gen->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1}};
    nn::Adam opt_disc{disc->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1}};

    void iteration(const Tensor& x_real, const Indices& y_real) {
        examples::train_step(*gen, *disc, opt_gen, opt_disc, x_real, y_real, opt, rng);
    }
};

struct Sums {  // what the counters say, to subtract: before and after the timed iterations
    std::uint64_t mallocs, sgemm_calls, flops;
    double sgemm_seconds;
    static Sums now() {
        return {bench::malloc_calls(), bench::sgemm_calls(), bench::sgemm_flops(), bench::sgemm_seconds()};
    }
};

void bench_batch(const Options& o, std::size_t batch) {
    DcganCgan m;
    Generator data_rng(3);
    const Tensor x_real(data_rng.uniform_array({batch, kPixels}, -1.0f, 1.0f));
    Indices y_real(batch);
    for (auto& y : y_real) y = data_rng.randint(examples::kClasses);
    for (int i = 0; i < o.warmup; ++i) m.iteration(x_real, y_real);

    reset_allocator_stats();
    const Sums before = Sums::now();
    std::vector<double> wall_ms, cpu_ms;
    double wall_total = 0;
    for (int i = 0; i < o.rounds * o.iters; ++i) {
        const double t0 = bench::now_seconds(), c0 = bench::cpu_seconds();
        m.iteration(x_real, y_real);
        const double seconds = bench::now_seconds() - t0;
        cpu_ms.push_back(1e3 * (bench::cpu_seconds() - c0));
        wall_ms.push_back(1e3 * seconds);
        wall_total += seconds;
    }
    const Sums after = Sums::now();
    const double n = double(wall_ms.size());
    const double ms = bench::median(wall_ms), ms_min = *std::min_element(wall_ms.begin(), wall_ms.end());
    const double ms_cpu = bench::median(cpu_ms);
    const double gflop = double(after.flops - before.flops) / n / 1e9;
    const double sgemm_share = (after.sgemm_seconds - before.sgemm_seconds) / wall_total;
    const double mallocs = double(after.mallocs - before.mallocs) / n;
    const double system_blocks = double(allocator_stats().from_system) / n;
    if (o.machine) {
        std::printf("dcgan batch=%zu threads=%d iters=%.0f ms=%.4f ms_min=%.4f cpu_ms=%.4f gflop=%.6f "
                    "sgemm_share=%.4f sgemm_calls=%.0f mallocs_per_iter=%.1f system_blocks_per_iter=%.4f "
                    "peak_rss_mib=%.1f\n",
                    batch, openblas_get_num_threads(), n, ms, ms_min, ms_cpu, gflop, sgemm_share,
                    double(after.sgemm_calls - before.sgemm_calls) / n, mallocs, system_blocks,
                    bench::peak_rss_mib());
    } else {
        std::printf("%6zu %9.2f %9.2f %9.2f %10.0f %8.3f %6.1f%% %7.0f %9.1f %9.4f\n", batch, ms, ms_min, ms_cpu,
                    double(batch) / (ms * 1e-3), gflop, 100 * sgemm_share,
                    double(after.sgemm_calls - before.sgemm_calls) / n, mallocs, system_blocks);
    }
    std::fflush(stdout);
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
        else if (args.is("--machine")) o.machine = true;
        else args.unknown("tests/bench/bench_dcgan.cpp");
    }
    for (std::size_t b : o.batches) {  // batch norm needs two images per batch, as in the programs
        if (b < 2) throw std::invalid_argument("--batch: the generator's batch norm needs at least 2 images");
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = bench::options_or_exit("bench_dcgan", parse, argc, argv);
    if (opt.threads > 0) openblas_set_num_threads(opt.threads);
    if (!opt.machine) {
        examples::print_blas_start("bench_dcgan");
        std::printf("cgan_mnist --arch dcgan, one training iteration (D step on a real and a generated batch + "
                    "G step), OpenBLAS threads %d;\nmedian of %d iterations after %d warm-up; sgemm: GFLOP per "
                    "iteration and share of its time; mallocs and new array blocks per iteration\n\n",
                    openblas_get_num_threads(), opt.rounds * opt.iters, opt.warmup);
        std::printf("%6s %9s %9s %9s %10s %8s %7s %7s %9s %9s\n", "batch", "ms/iter", "fastest", "CPU ms",
                    "samples/s", "GFLOP", "sgemm", "calls", "mallocs", "blocks");
    }
    for (std::size_t b : opt.batches) bench_batch(opt, b);
    return 0;
}
