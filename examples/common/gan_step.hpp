// gan_step.hpp — one training iteration of each GAN program: a discriminator
// update, then a generator update through the frozen discriminator. The plain
// GAN's step is in gan_step.cpp, the conditional GAN's in cgan_step.cpp; diff the
// two to see exactly what conditioning on the label adds to a step.
#pragma once

#include <cstddef>

#include "autodiff/random.hpp"
#include "autodiff/shape.hpp"
#include "examples/common/gan_loop.hpp"
#include "examples/common/models.hpp"
#include "examples/common/options.hpp"
#include "nn/optim.hpp"

namespace xgrad::examples {

// The plain GAN's step (gan_mnist). x_real (B, 784) real images, in the generator's
// range; the noise is drawn from rng (z_dim from opt). Returns the two losses.
StepLosses train_step(GeneratorNet& gen, DiscriminatorNet& disc, nn::Optimizer& opt_gen, nn::Optimizer& opt_disc,
                      const Tensor& x_real, const GanOptions& opt, Generator& rng);

// The conditional GAN's step (cgan_mnist): the same with the labels, y_real (B) those
// of x_real, and the losses weighted by opt's --gan/--dis/--cond/--noise-weight.
StepLosses train_step(GeneratorNet& gen, DiscriminatorNet& disc, nn::Optimizer& opt_gen, nn::Optimizer& opt_disc,
                      const Tensor& x_real, const Indices& y_real, const GanOptions& opt, Generator& rng);

}  // namespace xgrad::examples
