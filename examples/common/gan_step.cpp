// gan_step.cpp — the plain GAN's training step (Goodfellow et al. 2014), as
// gan_mnist runs it. Diff it against cgan_step.cpp to see what conditioning adds.
#include "examples/common/gan_step.hpp"

#include "autodiff/autodiff.hpp"

namespace xgrad::examples {

// One training iteration: a discriminator step, then a generator step.
//   x_real (B, 784) real images.
StepLosses train_step(GeneratorNet& gen, DiscriminatorNet& disc, nn::Optimizer& opt_gen, nn::Optimizer& opt_disc,
                      const Tensor& x_real, const GanOptions& opt, Generator& rng) {
    const std::size_t batch = x_real.shape()[0];
    const Tensor ones(xt::ones<float>({batch, std::size_t{1}}));
    const Tensor zeros(xt::zeros<float>({batch, std::size_t{1}}));

    // The generator draws a batch.
    const Tensor z(rng.normal_array({batch, std::size_t(opt.z_dim)}));
    const Tensor fake = gen(z, Tensor());

    // TASK 9: D: BCE(D(x_real), 1) + BCE(D(fake.detach()), 0), zero_grad, backward, step; G: freeze D, BCE(D(fake), 1), zero_grad, backward, step, unfreeze D; return both losses
    // Discriminator step: real images -> 1, generated ones -> 0.
    // fake.detach(): this step must not send gradients into the generator.
    const DiscOutput real_out = disc(x_real, Tensor());
    const DiscOutput fake_out = disc(fake.detach(), Tensor());
    Tensor d_loss = bce_with_logits(real_out.logit, ones) + bce_with_logits(fake_out.logit, zeros);
    opt_disc.zero_grad();
    d_loss.backward();
    opt_disc.step();

    // Generator step (non-saturating loss): make the updated discriminator
    // call the same fakes real. The discriminator is frozen, so no gradient work
    // is spent on its weights; the gradient still flows through it to `fake`.
    disc.requires_grad(false);
    const DiscOutput judged = disc(fake, Tensor());
    Tensor g_loss = bce_with_logits(judged.logit, ones);
    opt_gen.zero_grad();
    g_loss.backward();
    opt_gen.step();
    disc.requires_grad(true);
    return {d_loss.item(), g_loss.item()};
    // END TASK 9
}

}  // namespace xgrad::examples
