// models.hpp — the generator and discriminator networks of the examples, for
// three architectures (--arch). classes = 0 builds the plain GAN's networks;
// classes = 10 the conditional ones, where the one-hot label y is concatenated
// to the input (and, for `paper`, given its own first layer).
//
//   mlp (default): G [z ‖ y] → 256 → 512 → 1024 → 784, LeakyReLU(0.2), BatchNorm1d after
//                  the 2nd and 3rd linear layers, tanh (pixels in [-1, 1]);
//                  D [x ‖ y] → 512 → 256 → 1, LeakyReLU(0.2), dropout 0.3, logits.
//   article:       the seed article's network with its bugs fixed: G → 128 → 256 → 512 →
//                  1024 → 1024 → 784, ReLU, sigmoid; D → 1024 → 512 → 256 → 128 → 1, ReLU.
//   paper:         Mirza & Osindero 2014: G z → 200, y → 1000 (ReLU), joint 1200 ReLU, sigmoid 784;
//                  D maxout 240×5 on x, 50×5 on y, joint maxout 240×4, dropout 0.5, logit.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "autodiff/random.hpp"
#include "nn/module.hpp"

namespace xgrad::examples {

enum class Arch { mlp, article, paper };
// "mlp" | "article" | "paper"; std::invalid_argument "unknown --arch 'x' (use mlp, article or paper)".
Arch parse_arch(const std::string& name);
std::string arch_name(Arch arch);

// The range the generator's output (and so the scaled real data) lives in:
// [-1, 1] for tanh outputs, [0, 1] for sigmoid outputs.
struct PixelRange {
    float lo, hi;
};
PixelRange pixel_range(Arch arch);

class GeneratorNet : public nn::Module {
public:
    // z (N, z_dim), y (N, classes) one-hot or an empty Tensor for the plain GAN
    // -> images (N, 784) in pixel_range(arch).
    virtual Tensor forward(const Tensor& z, const Tensor& y) = 0;
    Tensor operator()(const Tensor& z, const Tensor& y) { return forward(z, y); }
};

struct DiscOutput {
    Tensor logit;          // (N, 1): real/fake logit
    Tensor class_logits;   // (N, aux_classes) AC-GAN head, or empty when aux_classes = 0
};

class DiscriminatorNet : public nn::Module {
public:
    // x (N, 784) in pixel_range(arch), y (N, classes) one-hot or empty.
    virtual DiscOutput forward(const Tensor& x, const Tensor& y) = 0;
    DiscOutput operator()(const Tensor& x, const Tensor& y) { return forward(x, y); }
};

// Weights drawn from gen (PyTorch's Linear default init), so a seed fixes them.
std::shared_ptr<GeneratorNet> make_generator(Arch arch, std::size_t z_dim, std::size_t classes, Generator& gen);
// aux_classes > 0 adds the AC-GAN auxiliary classifier head (for CondLoss).
// dropout_gen: the generator the dropout layers draw their masks from (must outlive the network).
std::shared_ptr<DiscriminatorNet> make_discriminator(Arch arch, std::size_t classes, std::size_t aux_classes,
                                                     Generator& gen, Generator& dropout_gen);

}  // namespace xgrad::examples
