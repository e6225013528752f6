// judge.cpp — the judge network, its batched evaluation and its checkpoint.
// Shape legend: N batch, P = 784 pixels, H1 = 512, C = 10 classes.
#include "judge.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "autodiff/ops_elementwise.hpp"
#include "autodiff/ops_loss.hpp"
#include "autodiff/ops_shape.hpp"
#include "autodiff/tape.hpp"
#include "nn/activation.hpp"
#include "nn/checkpoint.hpp"
#include "nn/conv.hpp"
#include "nn/flatten.hpp"
#include "nn/pool.hpp"

namespace xgrad::examples {

using std::make_shared;

namespace {

void check_judge_input(const Tensor& x) {
    if (!x.defined() || x.dim() != 2 || x.shape()[1] != Judge::kPixels)
        throw ShapeError("judge: x " + (x.defined() ? shape_str(x.shape()) : std::string("(empty)")) +
                         " must be (batch, 784)");
}

}  // namespace

MlpJudge::MlpJudge(Generator& gen, Generator& dropout_gen) {
    fc1_ = register_module("fc1", make_shared<nn::Linear>(kPixels, kHidden1, gen));
    drop1_ = register_module("drop1", make_shared<nn::Dropout>(0.3f, dropout_gen));
    fc2_ = register_module("fc2", make_shared<nn::Linear>(kHidden1, kFeatures, gen));
    drop2_ = register_module("drop2", make_shared<nn::Dropout>(0.3f, dropout_gen));
    fc3_ = register_module("fc3", make_shared<nn::Linear>(kFeatures, kClasses, gen));
}

JudgeOutput MlpJudge::forward(const Tensor& x) {
    check_judge_input(x);
    Tensor h = (*drop1_)(relu((*fc1_)(x)));      // (N, H1)
    const Tensor features = relu((*fc2_)(h));    // (N, 256)
    h = (*drop2_)(features);                     // (N, 256)
    return {(*fc3_)(h), features};               // logits (N, C)
}

CnnJudge::CnnJudge(Generator& gen, Generator& dropout_gen) {
    constexpr std::size_t side = 28 / 4;  // two 2 × 2 max pools: 28 → 14 → 7
    body_ = register_module("body", make_shared<nn::Sequential>());
    body_->add(make_shared<nn::Conv2d>(1, kChannels1, 5, gen, 1, 2));  // padding 2 keeps 28 × 28
    body_->add(make_shared<nn::ReLU>());
    body_->add(make_shared<nn::MaxPool2d>(2));
    body_->add(make_shared<nn::Conv2d>(kChannels1, kChannels2, 5, gen, 1, 2));
    body_->add(make_shared<nn::ReLU>());
    body_->add(make_shared<nn::MaxPool2d>(2));
    body_->add(make_shared<nn::Flatten>());
    body_->add(make_shared<nn::Linear>(kChannels2 * side * side, kFeatures, gen));
    body_->add(make_shared<nn::ReLU>());
    drop_ = register_module("drop", make_shared<nn::Dropout>(0.5f, dropout_gen));
    head_ = register_module("head", make_shared<nn::Linear>(kFeatures, kClasses, gen));
}

JudgeOutput CnnJudge::forward(const Tensor& x) {
    check_judge_input(x);
    const Tensor images = reshape(x, {-1, 1, 28, 28});  // (N, 1, 28, 28): one grey channel
    const Tensor features = (*body_)(images);           // (N, 256)
    return {(*head_)((*drop_)(features)), features};    // logits (N, C)
}

std::unique_ptr<Judge> make_judge(const std::string& arch, Generator& gen, Generator& dropout_gen) {
    if (arch == "mlp") return std::make_unique<MlpJudge>(gen, dropout_gen);
    if (arch == "cnn") return std::make_unique<CnnJudge>(gen, dropout_gen);
    throw std::invalid_argument("unknown judge arch '" + arch + "' (use mlp or cnn)");
}

Judged judge_images(Judge& judge, const Array& images, std::size_t batch) {
    if (images.dimension() != 2 || images.shape()[1] != Judge::kPixels)
        throw ShapeError("judge_images: images " + shape_str(images.shape()) + " must be (N, 784)");
    const std::size_t n = images.shape()[0];
    Judged out;
    out.logits = Array::from_shape({n, Judge::kClasses});
    out.probs = Array::from_shape({n, Judge::kClasses});
    out.features = Array::from_shape({n, Judge::kFeatures});
    out.labels.resize(n);

    NoGrad no_grad;  // measuring only: nothing is recorded on the tape
    judge.eval();    // dropout off
    const Tensor all(images);
    for (std::size_t begin = 0; begin < n; begin += batch) {
        const std::size_t end = std::min(n, begin + batch);
        const JudgeOutput o = judge(slice_rows(all, begin, end));
        const Array probs = softmax(o.logits, 1).value();
        // Copy the batch's rows into place (row-major: rows begin..end-1 are one block).
        std::copy_n(o.logits.value().data(), (end - begin) * Judge::kClasses,
                    out.logits.data() + begin * Judge::kClasses);
        std::copy_n(probs.data(), (end - begin) * Judge::kClasses, out.probs.data() + begin * Judge::kClasses);
        std::copy_n(o.features.value().data(), (end - begin) * Judge::kFeatures,
                    out.features.data() + begin * Judge::kFeatures);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const float* row = out.logits.data() + i * Judge::kClasses;
        out.labels[i] = static_cast<std::size_t>(std::max_element(row, row + Judge::kClasses) - row);
    }
    return out;
}

void shift_image(const float* image, int dx, int dy, float* out) {
    constexpr int side = 28;
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c) {
            const int from_r = r - dy, from_c = c - dx;  // the source pixel that lands on (r, c)
            const bool inside = from_r >= 0 && from_r < side && from_c >= 0 && from_c < side;
            out[r * side + c] = inside ? image[from_r * side + from_c] : 0.0f;
        }
}

void save_judge(const std::string& path, const Judge& judge, const std::map<std::string, std::string>& extra) {
    nn::Metadata md = extra;
    md["program"] = "mnist_classifier";
    md["arch"] = judge.arch_name();
    nn::save_checkpoint(path, judge, nullptr, md);
}

namespace {

// The metadata of a judge checkpoint, after checking that mnist_classifier wrote it:
// a GAN checkpoint given by mistake is named as such, instead of failing on its first
// tensor name.
nn::Metadata read_judge_metadata(const std::string& path) {
    const nn::Metadata md = nn::read_safetensors(path).metadata;
    const auto program = md.find("program");
    if (program == md.end() || program->second != "mnist_classifier") {
        const auto gan = md.find("setting.program");
        const std::string writer = gan != md.end()       ? gan->second
                                   : program != md.end() ? program->second
                                                         : "an unknown program";
        throw std::runtime_error(path + ": not a judge checkpoint (written by " + writer +
                                 "; train a judge with mnist_classifier)");
    }
    return md;
}

std::string recorded_arch(const nn::Metadata& md) {
    const auto arch = md.find("arch");
    return arch == md.end() ? "(none)" : arch->second;
}

}  // namespace

std::map<std::string, std::string> load_judge(const std::string& path, Judge& judge) {
    const std::string arch = recorded_arch(read_judge_metadata(path));
    if (arch != judge.arch_name())
        throw std::runtime_error(path + ": judge arch " + arch + ", but this network is " + judge.arch_name());
    return nn::load_checkpoint(path, judge);
}

LoadedJudge load_any_judge(const std::string& path, Generator& dropout_gen) {
    const std::string arch = recorded_arch(read_judge_metadata(path));
    Generator init(0);  // every weight is then read from the file
    LoadedJudge out;
    if (arch == MlpJudge::kArchName)
        out.judge = std::make_unique<MlpJudge>(init, dropout_gen);
    else if (arch == CnnJudge::kArchName)
        out.judge = std::make_unique<CnnJudge>(init, dropout_gen);
    else
        throw std::runtime_error(path + ": unknown judge arch " + arch + " (known: " + MlpJudge::kArchName + ", " +
                                 CnnJudge::kArchName + ")");
    out.metadata = load_judge(path, *out.judge);
    return out;
}

void check_writable_directory(const std::string& dir, const std::string& what) {
    const std::string probe =
        (std::filesystem::path(dir) / (".xgrad-write-test-" + std::to_string(::getpid()))).string();
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw std::invalid_argument(what + ": not writable (" + std::strerror(errno) + ")");
    ::close(fd);
    ::unlink(probe.c_str());
}

NonFiniteRows non_finite_rows(const Array& images) {
    if (images.dimension() != 2) throw ShapeError("non_finite_rows: images " + shape_str(images.shape()) + " must be 2-D");
    const std::size_t n = images.shape()[0], width = images.shape()[1];
    NonFiniteRows found;
    for (std::size_t i = 0; i < n; ++i) {
        const float* row = images.data() + i * width;
        if (std::all_of(row, row + width, [](float v) { return std::isfinite(v); })) continue;
        if (found.count++ == 0) found.first = i;
    }
    return found;
}

}  // namespace xgrad::examples
