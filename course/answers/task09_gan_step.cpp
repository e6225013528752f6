// The answers to task 9's questions (docs/course.md#task-9), computed with the library's own code.
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "autodiff/autodiff.hpp"
#include "examples/common/gan_step.hpp"
#include "nn/nn.hpp"

using namespace xgrad;
using namespace xgrad::examples;

int main() {
    std::printf("1. gan_mnist's networks (--arch mlp) at their first step, on 64 random 'images':\n");
    Generator rng(1);
    auto gen = make_generator(Arch::mlp, 100, 0, rng);
    auto disc = make_discriminator(Arch::mlp, 0, 0, rng, rng);
    nn::Adam opt_gen(gen->named_parameters(), {.lr = 2e-4f, .beta1 = 0.5f});
    nn::Adam opt_disc(disc->named_parameters(), {.lr = 2e-4f, .beta1 = 0.5f});
    GanOptions opt;
    const Tensor x_real(rng.uniform_array({64, 784}, -1.0f, 1.0f));
    const StepLosses l = train_step(*gen, *disc, opt_gen, opt_disc, x_real, opt, rng);
    std::printf("   d_loss %.4f   2 ln 2 = %.4f   g_loss %.4f   ln 2 = %.4f\n", static_cast<double>(l.d_loss),
                2 * std::log(2.0), static_cast<double>(l.g_loss), std::log(2.0));
    std::printf("   A new discriminator's logits are near 0, so it says 1/2 to everything: BCE is ln 2 on the\n"
                "   real batch and ln 2 on the fakes. A run whose first D loss is far from 1.386 has a bug.\n");

    std::printf("2. The gradient reaching a fake that D rejects with confidence (logit -10):\n");
    Tensor a(Array{-10.0f}, true), b(Array{-10.0f}, true);
    bce_with_logits(a, Tensor(Array{1.0f})).backward();  // non-saturating: minimise -log D(G(z))
    (-bce_with_logits(b, Tensor(Array{0.0f}))).backward();  // saturating: minimise log(1 - D(G(z)))
    std::printf("   non-saturating: d loss / d logit = %.6f   saturating: %.6f\n", static_cast<double>(a.grad()(0)),
                static_cast<double>(b.grad()(0)));
    std::printf("   Early in training D rejects every fake; the saturating loss then hands G almost no\n"
                "   gradient (sigma(-10) = 4.5e-5), the non-saturating one nearly 1.\n");

    std::printf("3. The discriminator step without fake.detach(), then the generator step:\n");
    const Tensor z(rng.normal_array({8, 100}));
    const Tensor fake = (*gen)(z, Tensor());
    const Tensor ones(xt::ones<float>({8, 1})), zeros(xt::zeros<float>({8, 1}));
    Tensor d_loss = bce_with_logits((*disc)(fake, Tensor()).logit, zeros);  // no detach
    d_loss.backward();
    try {
        bce_with_logits((*disc)(fake, Tensor()).logit, ones).backward();
        std::printf("   (no error)\n");
    } catch (const std::exception& e) {
        std::printf("   it throws: %s\n", e.what());
    }
    clear_tape();
    std::printf("   D's backward walked on through the generator and released its tape entries, so G's\n"
                "   backward finds them gone (and G's .grad got D's gradient, pointing the wrong way).\n");
    return 0;
}
