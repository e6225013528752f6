// mnist_classifier.cpp — train the judge (examples/common/judge.hpp), the digit
// classifier that examples/evaluate uses to measure the GAN programs' samples.
// Plain supervised learning with xgrad: cross-entropy, Adam, dropout, pixels in [0, 1],
// training images shifted by up to two pixels at random. --arch picks the network:
// cnn (the default, two convolutions) or mlp (three linear layers).
//
//   mnist_classifier [--arch cnn] [--data DIR] [--epochs 20] [--batch-size 64] [--lr 0.001] [--shift 2]
//                    [--seed 1] [--out out/judge] [--overwrite]
//
// Prints the training loss and the test accuracy after every epoch, and writes
// <out>/judge.safetensors (atomically) with the data set's source in its metadata.
// A judge already in --out is kept: the program refuses to start unless --overwrite.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "autodiff/autodiff.hpp"
#include "examples/common/blas_info.hpp"
#include "examples/common/idx.hpp"
#include "examples/common/judge.hpp"
#include "examples/common/metrics.hpp"
#include "examples/common/options.hpp"
#include "examples/common/run.hpp"
#include "nn/nn.hpp"

using namespace xgrad;
using namespace xgrad::examples;
namespace fs = std::filesystem;

namespace {

// Caps that keep memory and run time sane. A batch of 10,000 images already holds
// about 200 MB of activations and gradients; 1,000 epochs are fifty times the default.
constexpr int kMaxBatchSize = 10000, kMaxEpochs = 1000;

// "10 epochs, test accuracy 97.05%": what a judge checkpoint's metadata says about it.
std::string describe_judge(const std::string& path) {
    nn::Metadata md;
    try {
        md = nn::read_safetensors(path).metadata;
    } catch (const std::exception&) {
        return "not a readable checkpoint";
    }
    const auto field = [&](const char* key) { return md.count(key) ? md.at(key) : std::string("?"); };
    if (!md.count("program")) return "not a judge checkpoint";
    if (md.at("program") != "mnist_classifier") return "a checkpoint of " + md.at("program") + ", not a judge";
    std::string accuracy = "?";
    try {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * std::stod(field("test_accuracy")));
        accuracy = buf;
    } catch (const std::exception&) {  // no test_accuracy, or not a number: "?"
    }
    const std::string epochs = field("epochs");
    return epochs + (epochs == "1" ? " epoch" : " epochs") + ", test accuracy " + accuracy;
}

// A judge already in --out is kept unless --overwrite says to replace it; a
// judge.safetensors that is not a file (a directory, a FIFO) cannot be replaced.
void check_existing_judge(const ClassifierOptions& opt) {
    const std::string path = (fs::path(opt.out) / "judge.safetensors").string();
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (!fs::exists(st)) return;
    if (!fs::is_regular_file(st))
        throw std::invalid_argument("--out " + opt.out + ": " + path +
                                    " is not a regular file; remove it or give another --out");
    if (!opt.overwrite)
        throw std::invalid_argument("--out " + opt.out + " already holds judge.safetensors (" + describe_judge(path) +
                                    "); give --overwrite to replace it, or another --out");
}

// Every value checked before anything is read or created; one line per problem.
void check_options(ClassifierOptions& opt) {
    if (opt.data.empty()) opt.data = data::default_mnist_dir().string();
    if (opt.epochs <= 0) throw std::invalid_argument("--epochs must be positive, got " + std::to_string(opt.epochs));
    if (opt.epochs > kMaxEpochs)
        throw std::invalid_argument("--epochs must be at most " + std::to_string(kMaxEpochs) + ", got " +
                                    std::to_string(opt.epochs));
    if (opt.batch_size <= 0)
        throw std::invalid_argument("--batch-size must be positive, got " + std::to_string(opt.batch_size));
    if (opt.batch_size > kMaxBatchSize)
        throw std::invalid_argument("--batch-size must be at most " + std::to_string(kMaxBatchSize) +
                                    " (a batch's activations are held in memory), got " +
                                    std::to_string(opt.batch_size));
    if (!(opt.lr > 0.0f && std::isfinite(opt.lr)))
        throw std::invalid_argument("--lr must be positive and finite, got " + number_text(opt.lr));
    if (opt.shift < 0 || opt.shift > 8)
        throw std::invalid_argument("--shift must be in 0..8 pixels, got " + std::to_string(opt.shift));
    if (!fs::is_directory(opt.data))
        throw std::invalid_argument("--data " + opt.data + ": no such directory (run examples/fetch_mnist.sh first)");
    check_existing_judge(opt);
    std::error_code ec;
    fs::create_directories(opt.out, ec);
    if (ec || !fs::is_directory(opt.out))
        throw std::invalid_argument("--out " + opt.out + ": cannot create directory (" +
                                    (ec ? ec.message() : std::string("Not a directory")) + ")");
    check_writable_directory(opt.out, "--out " + opt.out);  // now, not after the last epoch
}

// A training batch, each image moved by a random whole-pixel shift (dx, dy), both in
// [-max_shift, max_shift]: pixels moved out of the 28 x 28 frame are dropped, the ones
// moved in are background (0). 8,000 digits are few for the judge's weights; shifted copies
// teach the judge that a digit a pixel or two off-centre is still the same digit (GAN
// samples are not always centred either) and keep it from learning the pixels by heart.
//   images (N, 784)   rows (B)   -> (B, 784)
Array shifted_batch(const Array& images, const Indices& rows, int max_shift, Generator& rng) {
    constexpr std::size_t pixels = Judge::kPixels;
    Array out = Array::from_shape({rows.size(), pixels});
    for (std::size_t b = 0; b < rows.size(); ++b) {
        const int dx = int(rng.randint(2 * max_shift + 1)) - max_shift;
        const int dy = int(rng.randint(2 * max_shift + 1)) - max_shift;
        shift_image(images.data() + rows[b] * pixels, dx, dy, out.data() + b * pixels);
    }
    return out;
}

// The fraction of images whose judged class is their label.
double accuracy(Judge& judge, const data::Dataset& set) {
    const double acc = conditional_accuracy(judge_images(judge, set.images).labels, set.labels);
    judge.train();  // judge_images left it in eval mode
    return acc;
}

int run(ClassifierOptions& opt) {
    check_options(opt);
    const data::Dataset train = data::load_mnist_dir(opt.data, "train");
    const data::Dataset test = data::load_mnist_dir(opt.data, "test");  // (both checked to be 28 x 28)
    if (static_cast<std::size_t>(opt.batch_size) > train.size())
        throw std::invalid_argument("--batch-size " + std::to_string(opt.batch_size) +
                                    " is larger than the training set (" + std::to_string(train.size()) + " images)");
    std::printf("mnist_classifier: %zu training images from %s\n", train.size(), train.source.c_str());
    std::printf("                  %zu test images from %s\n", test.size(), test.source.c_str());

    // One seeded generator draws the weights, the shuffles and the dropout masks.
    Generator rng(opt.seed);
    const std::unique_ptr<Judge> network = make_judge(opt.arch, rng, rng);
    Judge& judge = *network;
    nn::Adam adam(judge.named_parameters(), {.lr = opt.lr});
    // The rate falls geometrically, to 1/20 of --lr in the last epoch: big steps first,
    // then small ones that settle the weights instead of hopping around the minimum.
    nn::ExponentialLR schedule(adam, opt.epochs > 1 ? std::pow(0.05f, 1.0f / float(opt.epochs - 1)) : 1.0f);
    std::printf("judge %s: %zu parameters\n", judge.arch_name().c_str(), judge.num_parameters());

    print_blas_start("mnist_classifier");  // which OpenBLAS kernels the training runs on (stderr)
    const std::size_t batch = opt.batch_size, steps = train.size() / batch;  // the last partial batch is dropped
    const auto start = std::chrono::steady_clock::now();
    double test_acc = 0;
    for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
        const Indices order = shuffled_indices(train.size(), rng);
        double loss_sum = 0;
        for (std::size_t b = 0; b < steps; ++b) {
            const Indices rows(order.begin() + b * batch, order.begin() + (b + 1) * batch);
            const Tensor x(shifted_batch(train.images, rows, opt.shift, rng));   // (B, 784)
            const Tensor loss = cross_entropy(judge(x).logits, take(train.labels, order, b * batch, (b + 1) * batch));
            adam.zero_grad();
            loss.backward();
            adam.step();
            loss_sum += loss.item();
        }
        schedule.step();
        test_acc = accuracy(judge, test);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("epoch %3d/%d  train loss %.4f  test accuracy %.2f%%  (%.1f s)\n", epoch, opt.epochs,
                    loss_sum / double(steps), 100.0 * test_acc, seconds);
    }

    const std::string path = (fs::path(opt.out) / "judge.safetensors").string();
    save_judge(path, judge,
               {{"data", train.source},
                {"epochs", std::to_string(opt.epochs)},
                {"batch_size", std::to_string(opt.batch_size)},
                {"lr", number_text(opt.lr)},
                {"shift", std::to_string(opt.shift)},
                {"seed", std::to_string(opt.seed)},
                {"test_accuracy", number_text(test_acc)}});
    const std::size_t right = static_cast<std::size_t>(std::lround(test_acc * double(test.size())));
    std::printf("final test accuracy: %.2f%% (%zu of %zu)\nwrote %s\n", 100.0 * test_acc, right, test.size(),
                path.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    ClassifierOptions opt;  // (examples/common/options.hpp)
    if (const auto stop = read_command_line(argc, argv, opt)) return *stop;  // --help, or unreadable
    try {
        return run(opt);
    } catch (const std::bad_alloc&) {  // the caps above should prevent it; never a bare "std::bad_alloc"
        std::fprintf(stderr, "mnist_classifier: out of memory (try a smaller --batch-size)\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mnist_classifier: %s\n", e.what());
        return 1;
    }
}
