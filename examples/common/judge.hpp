// judge.hpp — the judge: an MLP digit classifier that measures the GAN programs'
// samples (examples/evaluate.cpp). It says which digit an image shows (logits)
// and gives its 256 penultimate activations (features), which the Fréchet
// distance compares. Trained by examples/mnist_classifier.cpp on pixels in [0, 1].
//
//   x (N, 784) in [0, 1] → Linear 512 → ReLU → Dropout 0.3
//                        → Linear 256 → ReLU → features (N, 256) → Dropout 0.3
//                        → Linear 10  → logits (N, 10)
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "autodiff/random.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"

namespace xgrad::examples {

struct JudgeOutput {
    Tensor logits;    // (N, 10): one score per digit class
    Tensor features;  // (N, 256): the activations the last layer reads (after ReLU, before dropout)
};

class Judge : public nn::Module {
public:
    static constexpr std::size_t kPixels = 28 * 28, kHidden1 = 512, kHidden2 = 256, kClasses = 10;
    // What a checkpoint records as its "arch", so a file of another shape is named, not misread.
    static constexpr const char* kArchName = "mlp-784-512-256-10";

    // Weights drawn from gen; dropout_gen draws the dropout masks (must outlive the network).
    Judge(Generator& gen, Generator& dropout_gen);

    // ShapeError "judge: x (64, 100) must be (batch, 784)".
    JudgeOutput forward(const Tensor& x);
    JudgeOutput operator()(const Tensor& x) { return forward(x); }

private:
    std::shared_ptr<nn::Linear> fc1_, fc2_, fc3_;
    std::shared_ptr<nn::Dropout> drop1_, drop2_;
};

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
// program = mnist_classifier, arch = Judge::kArchName, data = the training data's
// source, plus whatever `extra` holds (epochs, test accuracy, ...). Atomic.
void save_judge(const std::string& path, const Judge& judge, const std::map<std::string, std::string>& extra);
// Load a judge written by save_judge; returns its metadata. std::runtime_error naming
// the path: "<path>: not a judge checkpoint (written by cgan_mnist; train a judge with
// mnist_classifier)", or load_checkpoint's messages for a missing file or a bad tensor.
std::map<std::string, std::string> load_judge(const std::string& path, Judge& judge);

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
