// gan_mnist.cpp — a plain GAN (Goodfellow et al. 2014) on MNIST. The generator
// turns noise z into an image; the discriminator judges images. Its training
// step is train_step in examples/common/gan_step.cpp. Diff this file against
// cgan_mnist.cpp (and gan_step.cpp against cgan_step.cpp) to see exactly what
// conditioning on the label adds.
//
//   gan_mnist [--epochs 30] [--arch mlp|dcgan|article|paper] ...   (--help lists all)
//
// Writes to --out (default out/gan_mnist): losses.csv, samples_epoch_NNN.png
// (fixed noise), samples.png (the latest), checkpoint.safetensors.
#include "autodiff/autodiff.hpp"
#include "examples/common/gan_loop.hpp"
#include "examples/common/gan_step.hpp"
#include "examples/common/models.hpp"
#include "nn/nn.hpp"

using namespace xgrad;
using namespace xgrad::examples;

namespace {

// Build the networks and their optimizers, and hand them with one training step
// and the sample grid's drawing to the loop (gan_loop.hpp), which does the rest.
int run(GanOptions& opt) {
    const GanData data = read_gan_data(opt, "gan_mnist");  // the images, in the range the generator draws in

    // One seeded generator draws everything: weights, noise, dropout masks, shuffles.
    Generator rng(opt.seed);
    auto gen = make_generator(data.arch, opt.z_dim, 0, rng);
    auto disc = make_discriminator(data.arch, 0, 0, rng, rng);
    nn::Adam opt_gen(gen->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1});
    nn::Adam opt_disc(disc->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1});

    // One step on a batch of real images (their labels are not used).
    const TrainStep step = [&](const Tensor& x_real, const Indices&) {
        return train_step(*gen, *disc, opt_gen, opt_disc, x_real, opt, rng);
    };
    // The sample grid: 100 images from fixed noise.
    const DrawGrid draw_grid = [&](const Tensor& grid_z) { return (*gen)(grid_z, Tensor()); };
    // What a --resume must match besides program, arch and z_dim: nothing more here.
    const std::map<std::string, std::string> settings = {};
    return train_gan(opt, data, {*gen, *disc, opt_gen, opt_disc, rng}, settings, step, draw_grid);
}

}  // namespace

int main(int argc, char** argv) { return gan_program_main(argc, argv, "gan_mnist", run); }
