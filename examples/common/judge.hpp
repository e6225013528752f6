// judge.hpp — the judge: a digit classifier that measures the GAN programs'
// samples (examples/evaluate.cpp). It says which digit an image shows (logits)
// and gives its 256 penultimate activations (features), which the Fréchet
// distance compares. Trained by examples/mnist_classifier.cpp on pixels in [0, 1].
// Two networks share that interface; a checkpoint records which one it holds.
//
// MlpJudge, arch "mlp-784-512-256-10":
//   x (N, 784) in [0, 1] → Linear 512 → ReLU → Dropout 0.3
//                        → Linear 256 → ReLU → features (N, 256) → Dropout 0.3
//                        → Linear 10  → logits (N, 10)
//
// CnnJudge, arch "cnn-c16-c32-256-10" (LeNet-style: each convolution sees a
// 5 × 5 neighbourhood, each max pool halves the image):
//   x (N, 784) → (N, 1, 28, 28) → Conv2d 1 → 16, 5 × 5, padding 2 → ReLU → MaxPool 2  (N, 16, 14, 14)
//              → Conv2d 16 → 32, 5 × 5, padding 2 → ReLU → MaxPool 2                 (N, 32, 7, 7)
//              → Flatten (N, 1568) → Linear 256 → ReLU → features (N, 256) → Dropout 0.5
//              → Linear 10 → logits (N, 10)
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "autodiff/random.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/sequential.hpp"

namespace xgrad::examples {

struct JudgeOutput {
    Tensor logits;    // (N, 10): one score per digit class
    Tensor features;  // (N, 256): the activations the last layer reads (after ReLU, before dropout)
};

// What every judge does: (N, 784) pixels in, logits and features out.
class Judge : public nn::Module {
public:
    static constexpr std::size_t kPixels = 28 * 28, kFeatures = 256, kClasses = 10;

    // ShapeError "judge: x (64, 100) must be (batch, 784)".
    virtual JudgeOutput forward(const Tensor& x) = 0;
    JudgeOutput operator()(const Tensor& x) { return forward(x); }
    // The name a checkpoint records as its "arch", so a file of another shape is named, not misread.
    virtual std::string arch_name() const = 0;
};

class MlpJudge : public Judge {
public:
    static constexpr std::size_t kHidden1 = 512;
    static constexpr const char* kArchName = "mlp-784-512-256-10";

    // Weights drawn from gen; dropout_gen draws the dropout masks (must outlive the network).
    MlpJudge(Generator& gen, Generator& dropout_gen);
    JudgeOutput forward(const Tensor& x) override;
    std::string arch_name() const override { return kArchName; }

private:
    std::shared_ptr<nn::Linear> fc1_, fc2_, fc3_;
    std::shared_ptr<nn::Dropout> drop1_, drop2_;
};

class CnnJudge : public Judge {
public:
    static constexpr std::size_t kChannels1 = 16, kChannels2 = 32;
    static constexpr const char* kArchName = "cnn-c16-c32-256-10";

    CnnJudge(Generator& gen, Generator& dropout_gen);
    JudgeOutput forward(const Tensor& x) override;
    std::string arch_name() const override { return kArchName; }

private:
    std::shared_ptr<nn::Sequential> body_;  // x (N, 1, 28, 28) → features (N, 256)
    std::shared_ptr<nn::Dropout> drop_;
    std::shared_ptr<nn::Linear> head_;      // features → logits
};

// The judge a command line names: "mlp" or "cnn" (mnist_classifier --arch).
// std::invalid_argument "unknown judge arch 'rnn' (use mlp or cnn)".
std::unique_ptr<Judge> make_judge(const std::string& arch, Generator& gen, Generator& dropout_gen);

// The judge's verdict on many images at once: run in eval mode under NoGrad, in
// batches (so 10,000 images need no 10,000-row temporaries in every layer).
struct Judged {
    Array logits;    // (N, 10)
    Array probs;     // (N, 10): softmax of the logits, p(y | x)
    Array features;  // (N, 256)
    Indices labels;  // (N): argmax of the logits, the class the judge picks
};
// images (N, 784) in [0, 1]. Leaves the judge in eval mode.
Judged judge_images(Judge& judge, const Array& images, std::size_t batch = 500);

// The data augmentation mnist_classifier trains with: a 28 x 28 image (784 floats, row-major)
// moved dx pixels right and dy pixels down (negative: left, up) into `out`. Pixels moved
// out of the frame are dropped; the ones moved in are background, 0.
void shift_image(const float* image, int dx, int dy, float* out);

// The judge's checkpoint: nn::save_checkpoint's safetensors with metadata
// program = mnist_classifier, arch = judge.arch_name(), data = the training data's
// source, plus whatever `extra` holds (epochs, test accuracy, ...). Atomic.
void save_judge(const std::string& path, const Judge& judge, const std::map<std::string, std::string>& extra);
// Load a judge written by save_judge into `judge`; returns its metadata. std::runtime_error
// naming the path: "<path>: not a judge checkpoint (written by cgan_mnist; train a judge
// with mnist_classifier)", "<path>: judge arch mlp-784-512-256-10, but this network is
// cnn-c16-c32-256-10", or load_checkpoint's messages for a missing file or a bad tensor.
std::map<std::string, std::string> load_judge(const std::string& path, Judge& judge);

// A judge checkpoint in the network its metadata names, so evaluate measures with
// whichever judge it is given. dropout_gen must outlive the judge (in eval mode it
// draws nothing). load_judge's messages, and "<path>: unknown judge arch rnn-1
// (known: mlp-784-512-256-10, cnn-c16-c32-256-10)".
struct LoadedJudge {
    std::unique_ptr<Judge> judge;
    std::map<std::string, std::string> metadata;
};
LoadedJudge load_any_judge(const std::string& path, Generator& dropout_gen);

// ---- Checks mnist_classifier and evaluate make before any work starts

// Prove that a new file can be made in `dir` by creating and removing a probe file:
// better to find out now than after the training or the measuring. `what` starts the
// message: std::invalid_argument "<what>: not writable (Permission denied)".
void check_writable_directory(const std::string& dir, const std::string& what);

// The rows of images (N, 784) that hold a NaN or infinite pixel: how many, and the
// first of them (count 0: every pixel is finite). A diverged generator makes such
// samples, and no measure of them means anything.
struct NonFiniteRows {
    std::size_t count = 0;
    std::size_t first = 0;
};
NonFiniteRows non_finite_rows(const Array& images);

}  // namespace xgrad::examples
