// models.cpp — the generator and discriminator of each --arch as nn::Modules. Every
// network registers its layers under readable names (fc1, bn2, maxout_x, ...), so a
// checkpoint reads "gen.fc1.weight", and its forward() spells the layers out one per
// line with the shapes beside them. The conditioning of the CGAN is one call,
// with_label(): the one-hot label y is concatenated to the input along axis 1
// (paper gives y a layer of its own first and concatenates the two hidden layers;
// dcgan's discriminator projects the label onto its image features at the end).
// Shape legend: N batch, Z = z_dim, C = classes (0 for the plain GAN), A = aux_classes.
#include "models.hpp"

#include <stdexcept>
#include <string>

#include "autodiff/ops_elementwise.hpp"
#include "autodiff/ops_pool.hpp"
#include "autodiff/ops_reduce.hpp"
#include "autodiff/ops_shape.hpp"
#include "nn/batchnorm.hpp"
#include "nn/conv.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/maxout.hpp"

namespace xgrad::examples {

using nn::BatchNorm1d;
using nn::BatchNorm2d;
using nn::Conv2d;
using nn::Dropout;
using nn::Linear;
using nn::Maxout;
using std::make_shared;
using std::shared_ptr;

Arch parse_arch(const std::string& name) {
    if (name == "mlp") return Arch::mlp;
    if (name == "article") return Arch::article;
    if (name == "paper") return Arch::paper;
    if (name == "dcgan") return Arch::dcgan;
    throw std::invalid_argument("unknown --arch '" + name + "' (use mlp, dcgan, article or paper)");
}

std::string arch_name(Arch arch) {
    switch (arch) {
        case Arch::mlp: return "mlp";
        case Arch::article: return "article";
        case Arch::paper: return "paper";
        case Arch::dcgan: return "dcgan";
    }
    throw std::invalid_argument("arch_name: not an Arch value");
}

PixelRange pixel_range(Arch arch) {
    switch (arch) {
        case Arch::mlp: return {-1.0f, 1.0f};  // tanh output
        case Arch::article:
        case Arch::paper: return {0.0f, 1.0f};  // sigmoid output
        case Arch::dcgan: return {-1.0f, 1.0f};  // tanh output
    }
    throw std::invalid_argument("pixel_range: not an Arch value");
}

namespace {

constexpr std::size_t kPixels = 28 * 28;  // an MNIST image, flattened: 784

// The checks every forward() starts with, so a mistake is reported in the
// network's own words ("mlp generator: z (64, 50) has 50 features, expected 100")
// instead of by a layer deep inside it. `input` is z (generator) or x (discriminator).
void check_inputs(const std::string& net, const char* input_name, const Tensor& input, std::size_t features,
                  const Tensor& y, std::size_t classes) {
    const std::string in = net + ": " + input_name;
    const std::string wanted = "(batch, " + std::to_string(features) + ")";
    if (!input.defined()) throw std::invalid_argument(in + " is an empty Tensor; pass a " + wanted + " tensor");
    if (input.dim() != 2) throw ShapeError(in + " " + shape_str(input.shape()) + " must be 2-D " + wanted);
    if (input.shape()[1] != features)
        throw ShapeError(in + " " + shape_str(input.shape()) + " has " + std::to_string(input.shape()[1]) +
                         " features, expected " + std::to_string(features));

    if (classes == 0) {
        if (y.defined())
            throw std::invalid_argument(net + ": the network is unconditional (classes = 0) and takes no label; "
                                        "pass an empty Tensor() as y, not " + shape_str(y.shape()));
        return;
    }
    if (!y.defined())
        throw std::invalid_argument(net + ": the network is conditional (classes = " + std::to_string(classes) +
                                    ") and needs the one-hot labels y (batch, " + std::to_string(classes) +
                                    "); got an empty Tensor");
    const Shape expected{input.shape()[0], classes};
    if (y.shape() != expected)
        throw ShapeError(net + ": y " + shape_str(y.shape()) + " does not fit " + input_name + " " +
                         shape_str(input.shape()) + ": expected " + shape_str(expected) +
                         ", one one-hot row per sample");
}

// The conditioning: [input ‖ y], each row's one-hot label appended to it.
//   input (N, F) ‖ y (N, C) → (N, F + C).    The plain GAN (no y) uses input as it is.
Tensor with_label(const Tensor& input, const Tensor& y) { return y.defined() ? concat({input, y}, 1) : input; }

void require_z_dim(std::size_t z_dim) {
    if (z_dim == 0) throw std::invalid_argument("make_generator: z_dim must be at least 1");
}

// ---------------------------------------------------------------------------------------
// mlp: the default. LeakyReLU(0.2) everywhere, batch norm in G, dropout in D.

class MlpGenerator final : public GeneratorNet {
public:
    MlpGenerator(std::size_t z_dim, std::size_t classes, Generator& gen) : z_dim_(z_dim), classes_(classes) {
        fc1_ = register_module("fc1", make_shared<Linear>(z_dim + classes, 256, gen));
        fc2_ = register_module("fc2", make_shared<Linear>(256, 512, gen));
        bn2_ = register_module("bn2", make_shared<BatchNorm1d>(512));
        fc3_ = register_module("fc3", make_shared<Linear>(512, 1024, gen));
        bn3_ = register_module("bn3", make_shared<BatchNorm1d>(1024));
        fc4_ = register_module("fc4", make_shared<Linear>(1024, kPixels, gen));
    }

    Tensor forward(const Tensor& z, const Tensor& y) override {
        check_inputs("mlp generator", "z", z, z_dim_, y, classes_);
        Tensor h = with_label(z, y);                    // (N, Z + C)
        h = leaky_relu((*fc1_)(h), 0.2f);               // (N, 256)
        h = leaky_relu((*bn2_)((*fc2_)(h)), 0.2f);      // (N, 512)
        h = leaky_relu((*bn3_)((*fc3_)(h)), 0.2f);      // (N, 1024)
        return tanh((*fc4_)(h));                        // (N, 784) in [-1, 1]
    }

private:
    std::size_t z_dim_, classes_;
    shared_ptr<Linear> fc1_, fc2_, fc3_, fc4_;
    shared_ptr<BatchNorm1d> bn2_, bn3_;
};

class MlpDiscriminator final : public DiscriminatorNet {
public:
    MlpDiscriminator(std::size_t classes, std::size_t aux_classes, Generator& gen, Generator& dropout_gen)
        : classes_(classes) {
        fc1_ = register_module("fc1", make_shared<Linear>(kPixels + classes, 512, gen));
        drop1_ = register_module("drop1", make_shared<Dropout>(0.3f, dropout_gen));
        fc2_ = register_module("fc2", make_shared<Linear>(512, 256, gen));
        drop2_ = register_module("drop2", make_shared<Dropout>(0.3f, dropout_gen));
        fc3_ = register_module("fc3", make_shared<Linear>(256, 1, gen));
        if (aux_classes > 0) aux_ = register_module("aux", make_shared<Linear>(256, aux_classes, gen));
    }

    DiscOutput forward(const Tensor& x, const Tensor& y) override {
        check_inputs("mlp discriminator", "x", x, kPixels, y, classes_);
        Tensor h = with_label(x, y);                    // (N, 784 + C)
        h = (*drop1_)(leaky_relu((*fc1_)(h), 0.2f));    // (N, 512)
        h = (*drop2_)(leaky_relu((*fc2_)(h), 0.2f));    // (N, 256)
        return {(*fc3_)(h),                             // (N, 1) real/fake logit
                aux_ ? (*aux_)(h) : Tensor()};          // (N, A) class logits
    }

private:
    std::size_t classes_;
    shared_ptr<Linear> fc1_, fc2_, fc3_, aux_;
    shared_ptr<Dropout> drop1_, drop2_;
};

// ---------------------------------------------------------------------------------------
// article: the seed article's networks (with its bugs fixed). Plain ReLU, no
// normalisation, no dropout, a sigmoid output.

class ArticleGenerator final : public GeneratorNet {
public:
    ArticleGenerator(std::size_t z_dim, std::size_t classes, Generator& gen) : z_dim_(z_dim), classes_(classes) {
        fc1_ = register_module("fc1", make_shared<Linear>(z_dim + classes, 128, gen));
        fc2_ = register_module("fc2", make_shared<Linear>(128, 256, gen));
        fc3_ = register_module("fc3", make_shared<Linear>(256, 512, gen));
        fc4_ = register_module("fc4", make_shared<Linear>(512, 1024, gen));
        fc5_ = register_module("fc5", make_shared<Linear>(1024, 1024, gen));
        fc6_ = register_module("fc6", make_shared<Linear>(1024, kPixels, gen));
    }

    Tensor forward(const Tensor& z, const Tensor& y) override {
        check_inputs("article generator", "z", z, z_dim_, y, classes_);
        Tensor h = with_label(z, y);                    // (N, Z + C)
        h = relu((*fc1_)(h));                           // (N, 128)
        h = relu((*fc2_)(h));                           // (N, 256)
        h = relu((*fc3_)(h));                           // (N, 512)
        h = relu((*fc4_)(h));                           // (N, 1024)
        h = relu((*fc5_)(h));                           // (N, 1024)
        return sigmoid((*fc6_)(h));                     // (N, 784) in [0, 1]
    }

private:
    std::size_t z_dim_, classes_;
    shared_ptr<Linear> fc1_, fc2_, fc3_, fc4_, fc5_, fc6_;
};

class ArticleDiscriminator final : public DiscriminatorNet {
public:
    ArticleDiscriminator(std::size_t classes, std::size_t aux_classes, Generator& gen) : classes_(classes) {
        fc1_ = register_module("fc1", make_shared<Linear>(kPixels + classes, 1024, gen));
        fc2_ = register_module("fc2", make_shared<Linear>(1024, 512, gen));
        fc3_ = register_module("fc3", make_shared<Linear>(512, 256, gen));
        fc4_ = register_module("fc4", make_shared<Linear>(256, 128, gen));
        fc5_ = register_module("fc5", make_shared<Linear>(128, 1, gen));
        if (aux_classes > 0) aux_ = register_module("aux", make_shared<Linear>(128, aux_classes, gen));
    }

    DiscOutput forward(const Tensor& x, const Tensor& y) override {
        check_inputs("article discriminator", "x", x, kPixels, y, classes_);
        Tensor h = with_label(x, y);                    // (N, 784 + C)
        h = relu((*fc1_)(h));                           // (N, 1024)
        h = relu((*fc2_)(h));                           // (N, 512)
        h = relu((*fc3_)(h));                           // (N, 256)
        h = relu((*fc4_)(h));                           // (N, 128)
        return {(*fc5_)(h),                             // (N, 1) real/fake logit
                aux_ ? (*aux_)(h) : Tensor()};          // (N, A) class logits
    }

private:
    std::size_t classes_;
    shared_ptr<Linear> fc1_, fc2_, fc3_, fc4_, fc5_, aux_;
};

// ---------------------------------------------------------------------------------------
// paper: Mirza & Osindero (2014), section 4.1. Here z and y each get their own
// first layer, and the two are joined (concatenated) one layer later. The paper
// also applies dropout 0.5 to the generator; make_generator has no generator for
// dropout masks, so this one leaves it out (the discriminator has it).

class PaperGenerator final : public GeneratorNet {
public:
    PaperGenerator(std::size_t z_dim, std::size_t classes, Generator& gen) : z_dim_(z_dim), classes_(classes) {
        const std::size_t joint_in = classes > 0 ? 200 + 1000 : 200;
        fc_z_ = register_module("fc_z", make_shared<Linear>(z_dim, 200, gen));
        if (classes > 0) fc_y_ = register_module("fc_y", make_shared<Linear>(classes, 1000, gen));
        fc_joint_ = register_module("fc_joint", make_shared<Linear>(joint_in, 1200, gen));
        fc_out_ = register_module("fc_out", make_shared<Linear>(1200, kPixels, gen));
    }

    Tensor forward(const Tensor& z, const Tensor& y) override {
        check_inputs("paper generator", "z", z, z_dim_, y, classes_);
        Tensor h = relu((*fc_z_)(z));                   // (N, 200)
        if (fc_y_) h = concat({h, relu((*fc_y_)(y))}, 1);  // (N, 200 + 1000): joined with y's own layer
        h = relu((*fc_joint_)(h));                      // (N, 1200)
        return sigmoid((*fc_out_)(h));                  // (N, 784) in [0, 1]
    }

private:
    std::size_t z_dim_, classes_;
    shared_ptr<Linear> fc_z_, fc_y_, fc_joint_, fc_out_;
};

class PaperDiscriminator final : public DiscriminatorNet {
public:
    PaperDiscriminator(std::size_t classes, std::size_t aux_classes, Generator& gen, Generator& dropout_gen)
        : classes_(classes) {
        const std::size_t joint_in = classes > 0 ? 240 + 50 : 240;
        maxout_x_ = register_module("maxout_x", make_shared<Maxout>(kPixels, 240, 5, gen));
        if (classes > 0) maxout_y_ = register_module("maxout_y", make_shared<Maxout>(classes, 50, 5, gen));
        maxout_joint_ = register_module("maxout_joint", make_shared<Maxout>(joint_in, 240, 4, gen));
        drop_ = register_module("drop", make_shared<Dropout>(0.5f, dropout_gen));
        fc_out_ = register_module("fc_out", make_shared<Linear>(240, 1, gen));
        if (aux_classes > 0) aux_ = register_module("aux", make_shared<Linear>(240, aux_classes, gen));
    }

    DiscOutput forward(const Tensor& x, const Tensor& y) override {
        check_inputs("paper discriminator", "x", x, kPixels, y, classes_);
        Tensor h = (*maxout_x_)(x);                     // (N, 240)
        if (maxout_y_) h = concat({h, (*maxout_y_)(y)}, 1);  // (N, 240 + 50): joined with y's own layer
        h = (*drop_)((*maxout_joint_)(h));              // (N, 240)
        return {(*fc_out_)(h),                          // (N, 1) real/fake logit
                aux_ ? (*aux_)(h) : Tensor()};          // (N, A) class logits
    }

private:
    std::size_t classes_;
    shared_ptr<Maxout> maxout_x_, maxout_y_, maxout_joint_;
    shared_ptr<Dropout> drop_;
    shared_ptr<Linear> fc_out_, aux_;
};


// ---------------------------------------------------------------------------------------
// dcgan: Radford, Metz & Chintala (2016) sized for 28 × 28 digits. The generator
// projects [z ‖ y] to a 7 × 7 map and doubles it twice, each time by repeating every
// pixel 2 × 2 (nearest-neighbour upsampling) and then a 3 × 3 convolution (padding 1
// keeps the size). Radford et al. double with transposed convolutions (kernel 4,
// stride 2); measured here, those drew speckled strokes and scored worse (Odena,
// Dumoulin & Olah 2016 explain the checkerboard such overlaps leave; docs/gans.md
// has the numbers). The discriminator halves the image twice with strided
// convolutions (kernel 4, stride 2, padding 1: (H + 2 − 4) / 2 + 1 = H / 2). Batch
// norm in G only: D's logit for an image depends on that image alone, whatever batch
// it is judged in (the programs judge real, fake and wrong-label batches separately;
// see models.hpp).

constexpr std::size_t kSide = 28;                 // the image side
constexpr std::size_t kSmall = kSide / 4;         // 7: the side of G's first map and of D's last features
// The widths: half of the usual 128 / 64, so that both programs side by side still
// train an epoch in seconds on two cores (docs/gans.md gives the times and what the
// wider pair measured).
constexpr std::size_t kDcganWide = 64;            // channels of G's 7 × 7 map and of D's 7 × 7 features
constexpr std::size_t kDcganNarrow = 32;          // channels of G's 14 × 14 map and of D's 14 × 14 features
constexpr std::size_t kDcganFeatures = kDcganWide * kSmall * kSmall;  // 3136: D's features, G's projection

class DcganGenerator final : public GeneratorNet {
public:
    DcganGenerator(std::size_t z_dim, std::size_t classes, Generator& gen) : z_dim_(z_dim), classes_(classes) {
        fc_ = register_module("fc", make_shared<Linear>(z_dim + classes, kDcganFeatures, gen));
        bn0_ = register_module("bn0", make_shared<BatchNorm2d>(kDcganWide));
        conv1_ = register_module("conv1", make_shared<Conv2d>(kDcganWide, kDcganNarrow, 3, gen, 1, 1));
        bn1_ = register_module("bn1", make_shared<BatchNorm2d>(kDcganNarrow));
        conv2_ = register_module("conv2", make_shared<Conv2d>(kDcganNarrow, 1, 3, gen, 1, 1));
    }

    Tensor forward(const Tensor& z, const Tensor& y) override {
        check_inputs("dcgan generator", "z", z, z_dim_, y, classes_);
        Tensor h = (*fc_)(with_label(z, y));                        // (N, 3136)
        h = unflatten(h, 1, {kDcganWide, kSmall, kSmall});       // (N, 64, 7, 7)
        h = relu((*bn0_)(h));                                       // (N, 64, 7, 7)
        h = relu((*bn1_)((*conv1_)(upsample_nearest2d(h, 2))));     // (N, 64, 14, 14) → (N, 32, 14, 14)
        h = tanh((*conv2_)(upsample_nearest2d(h, 2)));              // (N, 32, 28, 28) → (N, 1, 28, 28) in [-1, 1]
        return flatten(h);                                          // (N, 784), as the programs expect
    }

private:
    std::size_t z_dim_, classes_;
    shared_ptr<Linear> fc_;
    shared_ptr<BatchNorm2d> bn0_, bn1_;
    shared_ptr<Conv2d> conv1_, conv2_;
};

// The CGAN's discriminator is a projection discriminator (Miyato & Koyama 2018): the
// label does not enter with the image but at the very end, as an inner product with
// the image's features. With y one-hot, embed(y) is the class's own learned vector v_y:
//   logit(x, y) = w · φ(x) + b + v_y · φ(x)
// so D must score "is this a real y" with features of the image, and cannot leave the
// label aside (docs/gans.md measures it against label planes beside the image).
class DcganDiscriminator final : public DiscriminatorNet {
public:
    DcganDiscriminator(std::size_t classes, std::size_t aux_classes, Generator& gen) : classes_(classes) {
        conv1_ = register_module("conv1", make_shared<Conv2d>(1, kDcganNarrow, 4, gen, 2, 1));
        conv2_ = register_module("conv2", make_shared<Conv2d>(kDcganNarrow, kDcganWide, 4, gen, 2, 1));
        fc_ = register_module("fc", make_shared<Linear>(kDcganFeatures, 1, gen));
        if (classes > 0)  // no bias: the class-free part of the logit is fc's
            embed_ = register_module("embed", make_shared<Linear>(classes, kDcganFeatures, gen, false));
        if (aux_classes > 0) aux_ = register_module("aux", make_shared<Linear>(kDcganFeatures, aux_classes, gen));
    }

    DiscOutput forward(const Tensor& x, const Tensor& y) override {
        check_inputs("dcgan discriminator", "x", x, kPixels, y, classes_);
        Tensor h = unflatten(x, 1, {1, kSide, kSide});              // (N, 1, 28, 28)
        h = leaky_relu((*conv1_)(h), 0.2f);                         // (N, 32, 14, 14)
        h = leaky_relu((*conv2_)(h), 0.2f);                         // (N, 64, 7, 7)
        h = flatten(h);                                             // φ(x): (N, 3136)
        Tensor logit = (*fc_)(h);                                   // (N, 1) real/fake logit
        if (embed_) logit = logit + xgrad::sum((*embed_)(y) * h, 1, true);  // + v_y · φ(x), (N, 1)
        return {logit, aux_ ? (*aux_)(h) : Tensor()};               // (N, A) class logits
    }

private:
    std::size_t classes_;
    shared_ptr<Conv2d> conv1_, conv2_;
    shared_ptr<Linear> fc_, embed_, aux_;
};

}  // namespace

std::shared_ptr<GeneratorNet> make_generator(Arch arch, std::size_t z_dim, std::size_t classes, Generator& gen) {
    require_z_dim(z_dim);
    switch (arch) {
        case Arch::mlp: return make_shared<MlpGenerator>(z_dim, classes, gen);
        case Arch::article: return make_shared<ArticleGenerator>(z_dim, classes, gen);
        case Arch::paper: return make_shared<PaperGenerator>(z_dim, classes, gen);
        case Arch::dcgan: return make_shared<DcganGenerator>(z_dim, classes, gen);
    }
    throw std::invalid_argument("make_generator: not an Arch value");
}

std::shared_ptr<DiscriminatorNet> make_discriminator(Arch arch, std::size_t classes, std::size_t aux_classes,
                                                     Generator& gen, Generator& dropout_gen) {
    switch (arch) {
        case Arch::mlp: return make_shared<MlpDiscriminator>(classes, aux_classes, gen, dropout_gen);
        case Arch::article: return make_shared<ArticleDiscriminator>(classes, aux_classes, gen);
        case Arch::paper: return make_shared<PaperDiscriminator>(classes, aux_classes, gen, dropout_gen);
        case Arch::dcgan: return make_shared<DcganDiscriminator>(classes, aux_classes, gen);
    }
    throw std::invalid_argument("make_discriminator: not an Arch value");
}

}  // namespace xgrad::examples
