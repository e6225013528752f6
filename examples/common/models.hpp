// models.hpp — the generator and discriminator networks of the examples, for
// four architectures (--arch). classes = 0 builds the plain GAN's networks;
// classes = 10 the conditional ones, where the one-hot label y is concatenated
// to the input (for `paper`, given its own first layer; dcgan's discriminator
// projects it onto the image's features instead).
//
//   mlp (default): G [z ‖ y] → 256 → 512 → 1024 → 784, LeakyReLU(0.2), BatchNorm1d after
//                  the 2nd and 3rd linear layers, tanh (pixels in [-1, 1]);
//                  D [x ‖ y] → 512 → 256 → 1, LeakyReLU(0.2), dropout 0.3, logits.
//   article:       the seed article's network with its bugs fixed: G → 128 → 256 → 512 →
//                  1024 → 1024 → 784, ReLU, sigmoid; D → 1024 → 512 → 256 → 128 → 1, ReLU.
//   paper:         Mirza & Osindero 2014: G z → 200, y → 1000 (ReLU), joint 1200 ReLU, sigmoid 784;
//                  D maxout 240×5 on x, 50×5 on y, joint maxout 240×4, dropout 0.5, logit.
//   dcgan:         Radford et al. 2016 for 28×28, at half their widths:
//                  G [z ‖ y] → Linear → (64, 7, 7) → BatchNorm2d, ReLU → upsample ×2, Conv2d 3×3
//                  → (32, 14, 14) → BatchNorm2d, ReLU → upsample ×2, Conv2d 3×3 → (1, 28, 28)
//                  → tanh, returned as (N, 784);
//                  D x as (1, 28, 28) → Conv2d 4×4 stride 2 → (32, 14, 14), LeakyReLU(0.2) → Conv2d
//                  → (64, 7, 7), LeakyReLU(0.2) → Flatten φ(x) (3136) → Linear → 1 logit, and for
//                  the CGAN + v_y · φ(x) (projection discriminator, Miyato & Koyama 2018: v_y a
//                  learned vector per class, Linear(C → 3136) without bias applied to the one-hot y).
//                  No batch norm in D: the programs judge real, fake and
//                  wrong-label images in separate batches, and batch statistics would let D tell an
//                  all-fake batch from an all-real one by the batch, not by each image; without them
//                  every image's logit depends on that image alone.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "autodiff/random.hpp"
#include "nn/module.hpp"

namespace xgrad::examples {

// The conditional networks' label count: MNIST's (and Fashion-MNIST's) ten classes.
constexpr std::size_t kClasses = 10;

enum class Arch { mlp, article, paper, dcgan };
// "mlp" | "dcgan" | "article" | "paper";
// std::invalid_argument "unknown --arch 'x' (use mlp, dcgan, article or paper)".
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
