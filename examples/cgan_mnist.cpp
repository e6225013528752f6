// cgan_mnist.cpp — a conditional GAN (Mirza & Osindero 2014) on MNIST. The
// generator draws an image of the digit y it is asked for; the discriminator
// judges (image, y) pairs. Its training step is train_step in
// examples/common/cgan_step.cpp. Diff this file against gan_mnist.cpp (and
// cgan_step.cpp against gan_step.cpp): what differs is exactly the conditioning
// on y (and the article's extra losses, which need it).
//
//   cgan_mnist [--epochs 30] [--arch mlp|dcgan|article|paper] [--cond-weight 1] ...   (--help lists all)
//
// Writes to --out (default out/cgan_mnist): losses.csv, samples_epoch_NNN.png
// (row r = digit r, fixed noise), samples.png (the latest), checkpoint.safetensors.
#include "autodiff/autodiff.hpp"
#include "examples/common/gan_loop.hpp"
#include "examples/common/gan_step.hpp"
#include "examples/common/models.hpp"
#include "nn/nn.hpp"
#include "nn/number_text.hpp"

using namespace xgrad;
using namespace xgrad::examples;

namespace {

// Build the networks and their optimizers, and hand them with one training step
// and the sample grid's drawing to the loop (gan_loop.hpp), which does the rest.
int run(GanOptions& opt) {
    const GanData data = read_gan_data(opt, "cgan_mnist");  // the images, in the range the generator draws in

    // One seeded generator draws everything: weights, noise, labels, dropout masks, shuffles.
    Generator rng(opt.seed);
    auto gen = make_generator(data.arch, opt.z_dim, kClasses, rng);
    auto disc = make_discriminator(data.arch, kClasses, opt.cond_weight > 0 ? kClasses : 0, rng, rng);
    nn::Adam opt_gen(gen->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1});
    nn::Adam opt_disc(disc->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1});

    // One step on a batch of real images and their labels.
    const TrainStep step = [&](const Tensor& x_real, const Indices& y_real) {
        return train_step(*gen, *disc, opt_gen, opt_disc, x_real, y_real, opt, rng);
    };
    // The sample grid: 100 images from fixed noise; row r asks for digit r.
    Indices grid_y(100);
    for (std::size_t i = 0; i < 100; ++i) grid_y[i] = i / 10;
    const DrawGrid draw_grid = [&](const Tensor& grid_z) { return (*gen)(grid_z, one_hot(grid_y, kClasses)); };
    // What a --resume must match besides program, arch and z_dim: cond_weight (> 0 builds the AC-GAN head).
    const std::map<std::string, std::string> settings = {{"cond_weight", nn::float_text(opt.cond_weight)}};
    return train_gan(opt, data, {*gen, *disc, opt_gen, opt_disc, rng}, settings, step, draw_grid);
}

}  // namespace

int main(int argc, char** argv) { return gan_program_main(argc, argv, "cgan_mnist", run); }
