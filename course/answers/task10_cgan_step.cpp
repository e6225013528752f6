// The answers to task 10's questions (docs/course.md#task-10), computed with the library's own code.
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"
#include "examples/common/gan_step.hpp"
#include "examples/common/run.hpp"
#include "nn/nn.hpp"

using namespace xgrad;
using namespace xgrad::examples;

int main() {
    std::printf("1. cgan_mnist's networks (--arch mlp) with --cond-weight 1, step 1, on 64 random 'images':\n");
    Generator rng(1);
    auto gen = make_generator(Arch::mlp, 100, kClasses, rng);
    auto disc = make_discriminator(Arch::mlp, kClasses, kClasses, rng, rng);
    nn::Adam opt_gen(gen->named_parameters(), {.lr = 2e-4f, .beta1 = 0.5f});
    nn::Adam opt_disc(disc->named_parameters(), {.lr = 2e-4f, .beta1 = 0.5f});
    GanOptions opt;
    opt.cond_weight = 1.0f;
    const Tensor x_real(rng.uniform_array({64, 784}, -1.0f, 1.0f));
    const Indices y_real = random_labels(64, kClasses, rng);
    const StepLosses l = train_step(*gen, *disc, opt_gen, opt_disc, x_real, y_real, opt, rng);
    std::printf("   d_loss %.4f   2 ln 2 + 2 ln 10 = %.4f\n", static_cast<double>(l.d_loss),
                2 * std::log(2.0) + 2 * std::log(10.0));
    std::printf("   DisLoss is 2 ln 2 as in the plain GAN; CondLoss adds a cross-entropy over 10 classes for the\n"
                "   real and for the fake batch, ln 10 each while the class head still guesses uniformly.\n");

    std::printf("2. Which digits is the generator asked for? The labels of 100 steps' y_fake (batch 64):\n");
    std::size_t count[kClasses] = {};
    for (std::size_t b = 0; b < 100; ++b)
        for (std::size_t y : random_labels(64, kClasses, rng)) ++count[y];
    std::printf("  ");
    for (std::size_t c = 0; c < kClasses; ++c) std::printf(" %zu:%zu", c, count[c]);
    std::printf("\n   random_labels draws y_fake uniformly and never looks at y_real: every digit is asked for\n"
                "   equally often, whatever the batch holds, so the generator cannot drop a digit unpunished.\n");
    return 0;
}
