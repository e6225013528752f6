// evaluate.cpp — measure a trained GAN or CGAN generator for mode collapse, with the
// judge classifier (examples/mnist_classifier.cpp) as the measuring instrument.
// What each number means: docs/evaluation.md.
//
//   evaluate --judge out/judge/judge.safetensors --checkpoint out/cgan_mnist/checkpoint.safetensors
//            [--samples 10000] [--seed 1] [--data DIR] [--json FILE]
//   evaluate --judge out/judge/judge.safetensors --real [--data DIR] [--json FILE]
//
// With --checkpoint: draws N samples (a CGAN: N/10 of each digit) and measures them
// against the data set's real test split. With --real: measures the real test split
// itself, the ceiling a generator can reach. Prints a table; --json also writes the
// numbers as one JSON object (atomically), for tools that compare runs. Every file and
// option is checked before anything is loaded; a generator that makes NaN or infinite
// pixels is refused, not measured.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autodiff/autodiff.hpp"
#include "examples/common/blas_info.hpp"
#include "examples/common/idx.hpp"
#include "examples/common/judge.hpp"
#include "examples/common/metrics.hpp"
#include "examples/common/models.hpp"
#include "examples/common/options.hpp"
#include "examples/common/run.hpp"
#include "examples/common/train_state.hpp"
#include "nn/atomic_file.hpp"
#include "nn/number_text.hpp"
#include "nn/regular_file.hpp"

using namespace xgrad;
using namespace xgrad::examples;
namespace fs = std::filesystem;

namespace {

// Everything evaluate reports: one row of the table, one key of the JSON each.
struct Evaluation {
    std::string source;                   // the checkpoint's path, or "real test set"
    std::string program;                  // gan_mnist | cgan_mnist | real
    std::string arch;                     // mlp | dcgan | article | paper | none (real)
    std::optional<std::int64_t> epoch;    // epochs the generator was trained; none for real
    std::string data;                     // the real test split's source
    std::size_t samples = 0;
    std::vector<std::size_t> histogram;   // judged classes
    std::size_t classes_covered = 0;
    double kl_uniform = 0;
    std::optional<double> conditional_accuracy;  // none for the plain GAN
    double frechet_distance = 0;
    double classifier_score = 0;
    std::vector<double> diversity, real_diversity;  // NaN: fewer than 2 samples in the class
    double mean_diversity = 0, mean_real_diversity = 0;
};

// ---------------------------------------------------------------------------------------
// Options

// The samples are all held in memory at once (noise, images, the judge's outputs, and
// copies in double for the metrics): evaluate peaks at about 1.2 GB at the cap.
constexpr int kMaxSamples = 100000;

// A checkpoint must be a regular file: reading a FIFO would wait for a writer
// forever. nn::open_regular_file refuses anything else at once.
void require_file(const std::string& option, const std::string& path, const std::string& hint) {
    const std::string where = option + " " + path + ": ";
    std::error_code ec;
    if (!fs::exists(fs::status(path, ec)) && (!ec || ec == std::errc::no_such_file_or_directory))
        throw std::invalid_argument(where + "no such file" + hint);
    std::uint64_t size = 0;
    ::close(nn::open_regular_file(path, size, where));
}

// --json's directory must exist and take a new file, and the path must not be a
// directory: checked now, not after the measuring.
void check_json_path(const std::string& json) {
    const fs::path dir = fs::path(json).parent_path().empty() ? fs::path(".") : fs::path(json).parent_path();
    std::error_code ec;
    if (!fs::exists(dir, ec))
        throw std::invalid_argument("--json " + json + ": directory " + dir.string() + " does not exist");
    if (!fs::is_directory(dir, ec))
        throw std::invalid_argument("--json " + json + ": " + dir.string() + " is not a directory");
    if (fs::is_directory(json, ec))
        throw std::invalid_argument("--json " + json + ": is a directory; name the file to write");
    check_writable_directory(dir.string(), "--json " + json + ": directory " + dir.string());
}

void check_options(EvalOptions& opt) {
    if (opt.judge.empty()) throw std::invalid_argument("--judge is required (the judge's checkpoint, from mnist_classifier)");
    if (opt.real == !opt.checkpoint.empty())
        throw std::invalid_argument(opt.real ? "give either --checkpoint or --real, not both"
                                             : "give --checkpoint FILE (a gan_mnist or cgan_mnist checkpoint) or --real");
    if (opt.real && (opt.samples_given || opt.seed_given))
        throw std::invalid_argument("--samples and --seed do not apply to --real (it measures every real test image)");
    if (opt.samples <= 0 || opt.samples % 10 != 0)
        throw std::invalid_argument("--samples must be a positive multiple of 10, got " + std::to_string(opt.samples));
    if (opt.samples > kMaxSamples)
        throw std::invalid_argument("--samples must be at most " + std::to_string(kMaxSamples) +
                                    " (all samples are held in memory), got " + std::to_string(opt.samples));
    if (opt.data.empty()) opt.data = data::default_mnist_dir().string();
    if (!fs::is_directory(opt.data))
        throw std::invalid_argument("--data " + opt.data + ": no such directory (run examples/fetch_mnist.sh first)");
    require_file("--judge", opt.judge, " (train one with mnist_classifier)");
    if (!opt.real) require_file("--checkpoint", opt.checkpoint, "");
    if (!opt.json.empty()) {
        check_json_path(opt.json);
        // The JSON is written over whatever file --json names: never one of the inputs.
        std::error_code ec;
        for (const auto& [option, input] : {std::pair{"--judge", opt.judge}, std::pair{"--checkpoint", opt.checkpoint}})
            if (!input.empty() && fs::equivalent(opt.json, input, ec))
                throw std::invalid_argument("--json " + opt.json + " is the " + option +
                                            " file; name another file to write");
    }
}

// ---------------------------------------------------------------------------------------
// Sampling the generator

// n images (N, 784) in [0, 1] from noise drawn with `seed`, in eval mode (BatchNorm
// uses its running statistics, so a sample does not depend on its batch). A
// conditional generator is asked for digit i % 10 for sample i: n/10 of each;
// `requested` receives those labels.
Array draw_samples(const SavedGenerator& g, std::size_t n, std::uint64_t seed, Indices& requested) {
    Generator rng(seed);
    const Tensor z(rng.normal_array({n, g.z_dim}));  // all noise first: the batch size cannot change a sample
    requested.resize(n);
    for (std::size_t i = 0; i < n; ++i) requested[i] = i % kClasses;

    Array images = Array::from_shape({n, std::size_t{784}});
    NoGrad no_grad;
    g.net->eval();
    constexpr std::size_t batch = 500;
    for (std::size_t begin = 0; begin < n; begin += batch) {
        const std::size_t end = std::min(n, begin + batch);
        const Tensor y = g.conditional
                             ? one_hot(Indices(requested.begin() + begin, requested.begin() + end), kClasses)
                             : Tensor();
        const Array out = to_unit_range((*g.net)(slice_rows(z, begin, end), y).value(), g.range);
        std::copy_n(out.data(), out.size(), images.data() + begin * 784);
    }
    return images;
}

// ---------------------------------------------------------------------------------------
// Measuring

// The judge's verdict on images, refused if any logit or feature is NaN or infinite
// (a judge whose training diverged): `what` names the images, e.g. "real test images".
Judged judge_finite(Judge& judge, const Array& images, const std::string& judge_path, const std::string& what) {
    Judged judged = judge_images(judge, images);
    for (const Array* out : {&judged.logits, &judged.features})
        if (const NonFiniteRows bad = non_finite_rows(*out); bad.count > 0)
            throw std::runtime_error("--judge " + judge_path + ": the judge's outputs are NaN or infinite on " +
                                     what + " (the first: image " + std::to_string(bad.first) +
                                     "); train the judge again");
    return judged;
}

// The numbers that depend only on the judged samples (and the real test diversity).
void measure(Evaluation& ev, const Judged& judged, const Array& images, const Judged& real_judged,
             const Array& real_images) {
    ev.samples = judged.labels.size();
    ev.histogram = class_histogram(judged.labels, kClasses);
    ev.classes_covered = classes_covered(ev.histogram);
    ev.kl_uniform = kl_from_uniform(ev.histogram);
    ev.classifier_score = classifier_score(judged.probs);
    ev.diversity = within_class_diversity(images, judged.labels, kClasses);
    ev.mean_diversity = mean_ignoring_nan(ev.diversity);
    ev.real_diversity = within_class_diversity(real_images, real_judged.labels, kClasses);
    ev.mean_real_diversity = mean_ignoring_nan(ev.real_diversity);
}

Evaluation evaluate_generator(const EvalOptions& opt, Judge& judge, const data::Dataset& test) {
    const SavedGenerator g = load_saved_generator(opt.checkpoint, "evaluate");
    print_blas_start("evaluate");  // the files are read: which OpenBLAS kernels the measuring runs on (stderr)
    Indices requested;
    const Array images = draw_samples(g, std::size_t(opt.samples), opt.seed, requested);
    // A diverged generator makes NaN (or infinite) pixels: no number measured from them means anything.
    if (const NonFiniteRows bad = non_finite_rows(images); bad.count > 0)
        throw std::runtime_error(opt.checkpoint + ": the generator makes NaN or infinite pixels in " +
                                 std::to_string(bad.count) + " of " + std::to_string(images.shape()[0]) +
                                 " samples (the first: sample " + std::to_string(bad.first) + ", --seed " +
                                 std::to_string(opt.seed) + "); there is nothing to measure");
    const Judged real = judge_finite(judge, test.images, opt.judge, "real test images");
    const Judged judged = judge_finite(judge, images, opt.judge, "samples");

    Evaluation ev;
    ev.source = opt.checkpoint;
    ev.program = g.program;
    ev.arch = g.arch;
    ev.epoch = g.state.epoch;
    ev.data = test.source;
    measure(ev, judged, images, real, test.images);
    if (g.conditional) ev.conditional_accuracy = conditional_accuracy(judged.labels, requested);
    ev.frechet_distance = frechet_distance(judged.features, real.features);
    return ev;
}

// The real test split measured like a generator's samples: the best a generator can do.
Evaluation evaluate_real(const EvalOptions& opt, Judge& judge, const data::Dataset& test) {
    const data::Dataset train = data::load_mnist_dir(opt.data, "train");
    print_blas_start("evaluate");  // the files are read: which OpenBLAS kernels the measuring runs on (stderr)
    const Judged real = judge_finite(judge, test.images, opt.judge, "real test images");
    Evaluation ev;
    ev.source = "real test set";
    ev.program = "real";
    ev.arch = "none";
    ev.data = test.source;
    measure(ev, real, test.images, real, test.images);
    ev.conditional_accuracy = conditional_accuracy(real.labels, test.labels);  // = the judge's test accuracy
    // The floor of the Fréchet distance: two real samples (test and train) differ too.
    const Judged train_judged = judge_finite(judge, train.images, opt.judge, "real training images");
    ev.frechet_distance = frechet_distance(real.features, train_judged.features);
    return ev;
}

// ---------------------------------------------------------------------------------------
// Output

std::string fixed(double x, int decimals) {
    if (std::isnan(x)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return buf;
}

// judge_md: the judge checkpoint's metadata (what it was trained on, its test accuracy).
void print_table(const Evaluation& ev, const std::string& judge_path, const std::map<std::string, std::string>& judge_md) {
    std::printf("\n%s", ev.source.c_str());
    if (ev.program != "real")
        std::printf(" (%s, arch %s, epoch %lld)", ev.program.c_str(), ev.arch.c_str(),
                    static_cast<long long>(ev.epoch.value_or(0)));
    const auto field = [&](const char* key) { return judge_md.count(key) ? judge_md.at(key) : std::string("?"); };
    std::printf("\njudge: %s (%s, test accuracy %s, trained on %s)\nreal test data: %s\n\n", judge_path.c_str(),
                field("arch").c_str(), field("test_accuracy").c_str(), field("data").c_str(), ev.data.c_str());

    std::printf("%-22s", "class");
    for (std::size_t c = 0; c < kClasses; ++c) std::printf("%7zu", c);
    std::printf("\n%-22s", "samples judged as c");
    for (const std::size_t n : ev.histogram) std::printf("%7zu", n);
    std::printf("\n%-22s", "  share %");
    for (const std::size_t n : ev.histogram) std::printf("%7s", fixed(100.0 * double(n) / double(ev.samples), 1).c_str());
    std::printf("\n%-22s", "diversity");
    for (const double d : ev.diversity) std::printf("%7s", fixed(d, 2).c_str());
    std::printf("\n%-22s", "real test diversity");
    for (const double d : ev.real_diversity) std::printf("%7s", fixed(d, 2).c_str());

    std::printf("\n\n%-34s %zu\n", "samples", ev.samples);
    std::printf("%-34s %zu of 10\n", "classes covered (>= 1% each)", ev.classes_covered);
    std::printf("%-34s %.4f nats (0 = even, ln 10 = 2.3026 = one class)\n", "KL(histogram || uniform)",
                ev.kl_uniform);
    std::printf("%-34s %s\n", "conditional accuracy",
                ev.conditional_accuracy ? fixed(*ev.conditional_accuracy, 4).c_str() : "- (not conditional)");
    std::printf("%-34s %.3f (%s)\n", "Frechet distance (judge features)", ev.frechet_distance,
                ev.program == "real" ? "real test vs real train: the floor" : "samples vs real test");
    std::printf("%-34s %.3f (1 to 10)\n", "classifier score", ev.classifier_score);
    std::printf("%-34s %s (real test: %s)\n", "mean within-class diversity", fixed(ev.mean_diversity, 3).c_str(),
                fixed(ev.mean_real_diversity, 3).c_str());
}

// NaN (a class with fewer than 2 samples) is written as null: JSON has no NaN.
nlohmann::ordered_json number_or_null(double x) { return std::isnan(x) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(x); }

nlohmann::ordered_json to_json(const Evaluation& ev) {
    nlohmann::ordered_json j;
    j["source"] = ev.source;
    j["program"] = ev.program;
    j["arch"] = ev.arch;
    j["epoch"] = ev.epoch ? nlohmann::ordered_json(*ev.epoch) : nlohmann::ordered_json(nullptr);
    j["data"] = ev.data;
    j["samples"] = ev.samples;
    j["histogram"] = ev.histogram;
    j["classes_covered"] = ev.classes_covered;
    j["kl_uniform"] = ev.kl_uniform;
    j["conditional_accuracy"] =
        ev.conditional_accuracy ? nlohmann::ordered_json(*ev.conditional_accuracy) : nlohmann::ordered_json(nullptr);
    j["frechet_distance"] = ev.frechet_distance;
    j["classifier_score"] = ev.classifier_score;
    j["within_class_diversity"] = nlohmann::ordered_json::array();
    for (const double d : ev.diversity) j["within_class_diversity"].push_back(number_or_null(d));
    j["mean_within_class_diversity"] = number_or_null(ev.mean_diversity);
    j["real_within_class_diversity"] = nlohmann::ordered_json::array();
    for (const double d : ev.real_diversity) j["real_within_class_diversity"].push_back(number_or_null(d));
    j["mean_real_within_class_diversity"] = number_or_null(ev.mean_real_diversity);
    return j;
}

int run(EvalOptions& opt) {
    check_options(opt);
    // The network the checkpoint's arch names (cnn or mlp), every weight read from it.
    Generator dropout_rng(0);  // draws nothing: the judge only runs in eval mode
    const LoadedJudge loaded = load_any_judge(opt.judge, dropout_rng);
    Judge& judge = *loaded.judge;
    const std::map<std::string, std::string>& judge_md = loaded.metadata;
    const data::Dataset test = data::load_mnist_dir(opt.data, "test");

    const Evaluation ev = opt.real ? evaluate_real(opt, judge, test) : evaluate_generator(opt, judge, test);
    print_table(ev, opt.judge, judge_md);
    if (!opt.json.empty()) {
        nn::write_file_atomically(opt.json, to_json(ev).dump(2) + "\n");
        std::printf("wrote %s\n", opt.json.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    EvalOptions opt;  // (examples/common/options.hpp)
    if (const auto stop = read_command_line(argc, argv, opt)) return *stop;  // --help, or unreadable
    try {
        return run(opt);
    } catch (const std::bad_alloc&) {  // the caps above should prevent it; never a bare "std::bad_alloc"
        std::fprintf(stderr, "evaluate: out of memory (try a smaller --samples)\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "evaluate: %s\n", e.what());
        return 1;
    }
}
