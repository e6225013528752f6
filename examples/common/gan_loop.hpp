// gan_loop.hpp — the training run that gan_mnist and cgan_mnist share, so that
// each program holds only what makes it different: its networks, its losses and
// one training step. A program reads its data with read_gan_data, builds its
// networks and optimizers, and hands them with its step to train_gan, which
// runs the epochs and does the rest: --resume and --overwrite, the progress line,
// losses.csv, a sample grid every --sample-every epochs, a checkpoint after every
// epoch and on Ctrl-C or SIGTERM, and the stop on a non-finite loss.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "autodiff/random.hpp"
#include "autodiff/shape.hpp"
#include "examples/common/idx.hpp"
#include "examples/common/models.hpp"
#include "examples/common/options.hpp"
#include "nn/optim.hpp"

namespace xgrad::examples {

// What read_gan_data read: the program's name (for its messages and checkpoint),
// the training set, and its images scaled to the range the --arch's generator draws in.
struct GanData {
    std::string program;   // "gan_mnist" | "cgan_mnist"
    data::Dataset train;   // images (N, 784) in [0, 1] and their labels
    Arch arch;
    PixelRange range;      // pixel_range(arch)
    Tensor images;         // train.images scaled to `range` (no gradient)
};

// The start of a run: check the options (finish_options) and that --out may be
// written (without --resume: check_out_is_free, whose line --overwrite prints),
// set the OpenBLAS threads, read --data and say what was read:
//   "gan_mnist: 8000 training images from ...".
GanData read_gan_data(GanOptions& opt, const std::string& program);

// The two networks a run trains, one optimizer each, and the run's one random
// generator (it draws the weights, the noise, the labels, the dropout masks and
// the shuffles; the checkpoint saves its state).
struct GanNetworks {
    GeneratorNet& gen;
    DiscriminatorNet& disc;
    nn::Optimizer& opt_gen;
    nn::Optimizer& opt_disc;
    Generator& rng;
};

// The two losses of one training step, for losses.csv and the progress line.
struct StepLosses {
    float d_loss, g_loss;
};

// The program's training step: one discriminator update and one generator update
// on a batch of real images x_real (B, 784), in the generator's range, with their
// labels y_real (B) (which a plain GAN ignores).
using TrainStep = std::function<StepLosses(const Tensor& x_real, const Indices& y_real)>;

// The program's sample grid: the generator's 100 images (100, 784) for the fixed
// noise grid_z (100, z_dim). Called under NoGrad, with the generator in eval().
using DrawGrid = std::function<Tensor(const Tensor& grid_z)>;

// Train for --epochs (or, with --resume, on from the checkpoint in --out) and return
// the exit status: 0 when done (or when a resumed run was already complete), 128 +
// the signal after Ctrl-C or SIGTERM (the checkpoint saved where the run stopped),
// 3 after a non-finite loss or tensor (the last good checkpoint kept).
// `settings`: what the checkpoint records besides program, arch and z_dim, so that a
// resume with other values is refused (e.g. {"cond_weight", "1"}).
// Writes to --out: losses.csv, samples_epoch_NNN.png and samples.png, checkpoint.safetensors.
int train_gan(const GanOptions& opt, const GanData& data, const GanNetworks& nets,
              const std::map<std::string, std::string>& settings, const TrainStep& step, const DrawGrid& draw_grid);

// A GAN program's main(): read the command line (--help, --blas-info and an
// unreadable one end here), call run(opt), and turn an exception into one line
// "<program>: <message>" on stderr and exit status 1.
int gan_program_main(int argc, char** argv, const std::string& program,
                     const std::function<int(GanOptions&)>& run);

}  // namespace xgrad::examples
