// cgan_step.cpp — the conditional GAN's training step (Mirza & Osindero 2014),
// with the seed article's optional extra losses, as cgan_mnist runs it. Diff it
// against gan_step.cpp: what differs is exactly the conditioning on the label.
#include "examples/common/gan_step.hpp"

#include "autodiff/autodiff.hpp"
#include "examples/common/run.hpp"

namespace xgrad::examples {

// One training iteration: a discriminator step, then a generator step.
//   x_real (B, 784) real images, y_real (B) their labels.
StepLosses train_step(GeneratorNet& gen, DiscriminatorNet& disc, nn::Optimizer& opt_gen, nn::Optimizer& opt_disc,
                      const Tensor& x_real, const Indices& y_real, const GanOptions& opt, Generator& rng) {
    const std::size_t batch = y_real.size();
    const Tensor ones(xt::ones<float>({batch, std::size_t{1}}));
    const Tensor zeros(xt::zeros<float>({batch, std::size_t{1}}));

    // The generator draws a batch for labels chosen uniformly at random.
    const Tensor z(rng.normal_array({batch, std::size_t(opt.z_dim)}));
    // TASK 10: the GAN step with labels: fakes for random labels y_fake; D judges (image, one-hot label) pairs; weighted losses, plus CondLoss and NoiseLoss when their weights are > 0
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
    // END TASK 10
}

}  // namespace xgrad::examples
