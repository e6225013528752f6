// cgan_mnist.cpp — a conditional GAN (Mirza & Osindero 2014) on MNIST. The
// generator draws an image of the digit y it is asked for; the discriminator
// judges (image, y) pairs. Diff this file against gan_mnist.cpp: what differs is
// exactly the conditioning on y (and the article's extra losses, which need it).
//
//   cgan_mnist [--epochs 30] [--arch mlp|dcgan|article|paper] [--cond-weight 1] ...   (--help lists all)
//
// Writes to --out (default out/cgan_mnist): losses.csv, samples_epoch_NNN.png
// (row r = digit r, fixed noise), samples.png (the latest), checkpoint.safetensors.
#include "autodiff/autodiff.hpp"
#include "examples/common/gan_loop.hpp"
#include "examples/common/models.hpp"
#include "examples/common/run.hpp"
#include "nn/nn.hpp"
#include "nn/number_text.hpp"

using namespace xgrad;
using namespace xgrad::examples;

namespace {

constexpr std::size_t kClasses = 10;

// One training iteration: a discriminator step, then a generator step.
//   x_real (B, 784) real images, y_real (B) their labels.
StepLosses train_step(GeneratorNet& gen, DiscriminatorNet& disc, nn::Optimizer& opt_gen, nn::Optimizer& opt_disc,
                      const Tensor& x_real, const Indices& y_real, const GanOptions& opt, Generator& rng) {
    const std::size_t batch = y_real.size();
    const Tensor ones(xt::ones<float>({batch, std::size_t{1}}));
    const Tensor zeros(xt::zeros<float>({batch, std::size_t{1}}));

    // The generator draws a batch for labels chosen uniformly at random.
    const Tensor z(rng.normal_array({batch, std::size_t(opt.z_dim)}));
    const Indices y_fake = random_labels(batch, kClasses, rng);
    const Tensor fake = gen(z, one_hot(y_fake, kClasses));

    // Discriminator step (DisLoss): real (x, y) pairs -> 1, generated ones -> 0.
    // fake.detach(): this step must not send gradients into the generator.
    const DiscOutput real_out = disc(x_real, one_hot(y_real, kClasses));
    const DiscOutput fake_out = disc(fake.detach(), one_hot(y_fake, kClasses));
    Tensor d_loss = opt.dis_weight * (bce_with_logits(real_out.logit, ones) + bce_with_logits(fake_out.logit, zeros));
    if (opt.cond_weight > 0) {  // CondLoss (AC-GAN): the auxiliary head learns to name the digit
        d_loss = d_loss + opt.cond_weight * (cross_entropy(real_out.class_logits, y_real) +
                                             cross_entropy(fake_out.class_logits, y_fake));
    }
    if (opt.noise_weight > 0) {  // NoiseLoss (matching-aware): a real image with a wrong label is fake
        const DiscOutput mismatched = disc(x_real, one_hot(wrong_labels(y_real, kClasses, rng), kClasses));
        d_loss = d_loss + opt.noise_weight * bce_with_logits(mismatched.logit, zeros);
    }
    opt_disc.zero_grad();
    d_loss.backward();
    opt_disc.step();

    // Generator step (GanLoss, non-saturating): make the updated discriminator
    // call the same fakes real. The discriminator is frozen, so no gradient work
    // is spent on its weights; the gradient still flows through it to `fake`.
    disc.requires_grad(false);
    const DiscOutput judged = disc(fake, one_hot(y_fake, kClasses));
    Tensor g_loss = opt.gan_weight * bce_with_logits(judged.logit, ones);
    if (opt.cond_weight > 0) g_loss = g_loss + opt.cond_weight * cross_entropy(judged.class_logits, y_fake);
    opt_gen.zero_grad();
    g_loss.backward();
    opt_gen.step();
    disc.requires_grad(true);
    return {d_loss.item(), g_loss.item()};
}

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
