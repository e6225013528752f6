// options.cpp — the command lines of the four programs: CLI11 options with their
// help and defaults (the only file that includes CLI11), then check_options and
// finish_options, which fill the defaults that depend on the program and turn every
// bad value of gan_mnist and cgan_mnist into one line saying what is wrong.
#include "options.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "blas_info.hpp"
#include "idx.hpp"

namespace xgrad::examples {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------- reading the command line

// --seed takes an integer from 0 to 2^64 - 1 in decimal digits and nothing else:
// CLI11 alone reads "-1" and "1e23" as 2^64 - 1 without a word, and "010" as octal 8.
// A transform, so it also hands CLI11 the number without leading zeros.
CLI::Validator seed_validator() {
    return {[](std::string& text) -> std::string {
                std::uint64_t value = 0;
                const char* end = text.data() + text.size();
                const auto [stop, error] = std::from_chars(text.data(), end, value);
                if (error != std::errc() || stop != end)
                    return (text.empty() ? "an empty value" : text) + " is not an integer from 0 to " +
                           std::to_string(std::numeric_limits<std::uint64_t>::max());
                text = std::to_string(value);
                return {};
            },
            ""};
}

CLI::Option* add_seed_option(CLI::App& app, std::uint64_t& seed, const std::string& help) {
    return app.add_option("--seed", seed, help)->capture_default_str()->transform(seed_validator());
}

// The options both GAN programs take.
void add_common_options(CLI::App& app, GanOptions& opt) {
    app.add_option("--data", opt.data, "directory with the MNIST files (default: $XGRAD_DATA, else data/mnist)");
    app.add_option("--epochs", opt.epochs, "passes over the training set")->capture_default_str();
    app.add_option("--batch-size", opt.batch_size, "images per optimizer step")->capture_default_str();
    app.add_option("--lr", opt.lr, "Adam learning rate of both networks (given with --resume: the new rate)")
        ->capture_default_str()
        ->each([&opt](const std::string&) { opt.lr_given = true; });
    app.add_option("--beta1", opt.beta1, "Adam beta1 of both networks")->capture_default_str();
    app.add_option("--z-dim", opt.z_dim, "length of the generator's noise vector z")->capture_default_str();
    add_seed_option(app, opt.seed, "random seed: the same seed gives the same run");
    app.add_option("--out", opt.out, "output directory: samples, losses, checkpoint (default: out/<program>)");
    app.add_flag("--resume", opt.resume, "continue from <out>/checkpoint.safetensors");
    app.add_flag("--overwrite", opt.overwrite, "start over in an --out that already holds a run, replacing its files");
    app.add_option("--sample-every", opt.sample_every, "epochs between sample grids (the last epoch always gets one)")
        ->capture_default_str();
    app.add_option("--threads", opt.threads, "OpenBLAS threads (0 = OpenBLAS's default)")->capture_default_str();
    app.add_option("--arch", opt.arch, "network architecture (see examples/common/models.hpp)")
        ->capture_default_str()
        ->check(CLI::IsMember({"mlp", "dcgan", "article", "paper"}));
}

// The seed article's four losses, as weights: cgan_mnist only.
void add_cgan_loss_options(CLI::App& app, GanOptions& opt) {
    app.add_option("--gan-weight", opt.gan_weight, "weight of GanLoss, the generator's adversarial loss")
        ->capture_default_str();
    app.add_option("--dis-weight", opt.dis_weight, "weight of DisLoss, the discriminator's real/fake loss")
        ->capture_default_str();
    app.add_option("--cond-weight", opt.cond_weight,
                   "weight of CondLoss, the AC-GAN class loss (0 = no classifier head)")
        ->capture_default_str();
    app.add_option("--noise-weight", opt.noise_weight,
                   "weight of NoiseLoss: real images with wrong labels count as fake")
        ->capture_default_str();
}

// Run CLI11 over args: --help, --blas-info (all four programs take it) and every
// error CLI11 finds become a ParseResult.
ParseResult parse_with(CLI::App& app, const std::vector<std::string>& args) {
    bool blas_info = false;
    app.add_flag("--blas-info", blas_info, "print which OpenBLAS build and kernels run, and exit");
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        return {ParseResult::help, app.help()};
    } catch (const CLI::ParseError& e) {
        return {ParseResult::error, e.what()};
    }
    if (blas_info) return {ParseResult::blas_info, blas_report(read_blas_info())};
    return {};
}

std::optional<int> finish_reading(const ParseResult& parsed, const std::string& program) {
    switch (parsed.outcome) {
        case ParseResult::run: return std::nullopt;
        case ParseResult::help:
        case ParseResult::blas_info: std::fputs(parsed.text.c_str(), stdout); return 0;
        case ParseResult::error: std::fprintf(stderr, "%s: %s\n", program.c_str(), parsed.text.c_str()); return 2;
    }
    return 2;
}

std::vector<std::string> arguments(int argc, const char* const* argv) {
    return argc > 1 ? std::vector<std::string>(argv + 1, argv + argc) : std::vector<std::string>{};
}

}  // namespace

ParseResult parse_options(const std::vector<std::string>& args, const std::string& program, GanOptions& opt) {
    const bool cgan = program == "cgan_mnist";
    CLI::App app{cgan ? "cgan_mnist: a conditional GAN on MNIST, built on xgrad"
                      : "gan_mnist: a plain GAN on MNIST, built on xgrad",
                 program};
    add_common_options(app, opt);
    if (cgan) add_cgan_loss_options(app, opt);
    return parse_with(app, args);
}

ParseResult parse_options(const std::vector<std::string>& args, ClassifierOptions& opt) {
    CLI::App app{"mnist_classifier: train the judge, the digit classifier evaluate measures GAN samples with",
                 "mnist_classifier"};
    app.add_option("--arch", opt.arch, "the judge's network (see examples/common/judge.hpp)")
        ->capture_default_str()
        ->check(CLI::IsMember({"cnn", "mlp"}));
    app.add_option("--data", opt.data, "directory with the MNIST files (default: $XGRAD_DATA, else data/mnist)");
    app.add_option("--epochs", opt.epochs, "passes over the training set")->capture_default_str();
    app.add_option("--batch-size", opt.batch_size, "images per optimizer step")->capture_default_str();
    app.add_option("--lr", opt.lr, "Adam learning rate")->capture_default_str();
    app.add_option("--shift", opt.shift, "largest random shift of a training image in pixels (0 = none)")
        ->capture_default_str();
    add_seed_option(app, opt.seed, "random seed: the same seed gives the same judge");
    app.add_option("--out", opt.out, "output directory for judge.safetensors")->capture_default_str();
    app.add_flag("--overwrite", opt.overwrite, "replace a judge.safetensors already in --out");
    return parse_with(app, args);
}

ParseResult parse_options(const std::vector<std::string>& args, EvalOptions& opt) {
    CLI::App app{"evaluate: measure a GAN/CGAN generator (or the real test set) for mode collapse with the judge",
                 "evaluate"};
    app.add_option("--judge", opt.judge, "the judge's checkpoint (written by mnist_classifier)");
    app.add_option("--checkpoint", opt.checkpoint, "a gan_mnist or cgan_mnist checkpoint.safetensors to measure");
    app.add_flag("--real", opt.real, "measure the real test set instead (the ceiling)");
    app.add_option("--samples", opt.samples, "samples to draw (a multiple of 10)")
        ->capture_default_str()
        ->each([&opt](const std::string&) { opt.samples_given = true; });
    add_seed_option(app, opt.seed, "seed of the noise the samples are drawn from")
        ->each([&opt](const std::string&) { opt.seed_given = true; });
    app.add_option("--data", opt.data, "directory with the MNIST files (default: $XGRAD_DATA, else data/mnist)");
    app.add_option("--json", opt.json, "also write the numbers to this JSON file");
    return parse_with(app, args);
}

std::optional<int> read_command_line(int argc, const char* const* argv, const std::string& program, GanOptions& opt) {
    return finish_reading(parse_options(arguments(argc, argv), program, opt), program);
}

std::optional<int> read_command_line(int argc, const char* const* argv, ClassifierOptions& opt) {
    return finish_reading(parse_options(arguments(argc, argv), opt), "mnist_classifier");
}

std::optional<int> read_command_line(int argc, const char* const* argv, EvalOptions& opt) {
    return finish_reading(parse_options(arguments(argc, argv), opt), "evaluate");
}

// ---------------------------------------------------------------- checking the values

std::string number_text(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return buf;
}

namespace {

void check_positive(const char* name, int value) {
    if (value <= 0) throw std::invalid_argument(std::string(name) + " must be positive, got " + std::to_string(value));
}

void check_at_most(const char* name, int value, int bound) {
    if (value > bound)
        throw std::invalid_argument(std::string(name) + " must be at most " + std::to_string(bound) + ", got " +
                                    std::to_string(value));
}

void check_weight(const char* name, float value) {
    if (!(value >= 0.0f && std::isfinite(value)))
        throw std::invalid_argument(std::string(name) + " must be >= 0 and finite, got " + number_text(value));
}

// Create --out (and its parents) and prove we can write into it, by creating
// and removing a probe file: better to fail now than after the first epoch.
void prepare_out_dir(const std::string& out) {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw std::invalid_argument("--out " + out + ": cannot create directory (" + ec.message() + ")");
    if (!fs::is_directory(out))
        throw std::invalid_argument("--out " + out + ": cannot create directory (" + std::strerror(ENOTDIR) + ")");
    const std::string probe = (fs::path(out) / (".xgrad-write-test-" + std::to_string(::getpid()))).string();
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw std::invalid_argument("--out " + out + ": not writable (" + std::strerror(errno) + ")");
    ::close(fd);
    ::unlink(probe.c_str());
}

}  // namespace

bool arch_uses_batch_norm(const std::string& arch) {
    // mlp: BatchNorm1d in its generator, dcgan: BatchNorm2d in its generator
    // (examples/common/models.cpp); test_options checks this.
    return arch == "mlp" || arch == "dcgan";
}

// The bounds (kMax... in options.hpp), each far above real use:
// - epochs 10000: an epoch of the 60000 MNIST digits takes half a minute or more,
//   so that is days of training at the least; real runs take 30 to 300.
// - batch size 4096: a training step holds about 150 KB per image (activations
//   and gradients of both networks), so 4096 images take some 600 MB beside the
//   data set (measured: cgan_mnist --cond-weight 1, every arch, peaks below 750 MB);
//   GANs train with 64 to 256.
// - z_dim 4096: the noise vector is usually 100 long; the generator's first layer
//   grows with it (4096 x 256 weights for mlp, and Adam's two moments beside them).
// - sample-every: a grid less often than once in kMaxEpochs epochs means only the
//   last epoch's, which every run gets anyway.
// - threads 256: more than the cores of any one machine these programs run on;
//   each OpenBLAS thread takes a buffer of its own.
void check_options(GanOptions& opt, const std::string& program) {
    // Defaults that depend on the environment and the program.
    if (opt.data.empty()) opt.data = xgrad::data::default_mnist_dir().string();
    if (opt.out.empty()) opt.out = "out/" + program;

    // Every value, in the order --help lists them.
    check_positive("--epochs", opt.epochs);
    check_at_most("--epochs", opt.epochs, kMaxEpochs);
    check_positive("--batch-size", opt.batch_size);
    check_at_most("--batch-size", opt.batch_size, kMaxBatchSize);
    if (!(opt.lr > 0.0f && std::isfinite(opt.lr)))
        throw std::invalid_argument("--lr must be positive and finite, got " + number_text(opt.lr));
    if (!(opt.beta1 >= 0.0f && opt.beta1 < 1.0f))
        throw std::invalid_argument("--beta1 must be in [0, 1), got " + number_text(opt.beta1));
    check_positive("--z-dim", opt.z_dim);
    check_at_most("--z-dim", opt.z_dim, kMaxZDim);
    if (opt.resume && opt.overwrite)
        throw std::invalid_argument("--resume and --overwrite cannot be used together: --resume continues the run in " +
                                    opt.out + ", --overwrite starts it over");
    check_positive("--sample-every", opt.sample_every);
    check_at_most("--sample-every", opt.sample_every, kMaxSampleEvery);
    if (opt.threads < 0)
        throw std::invalid_argument("--threads must be 0 (OpenBLAS's default) or more, got " +
                                    std::to_string(opt.threads));
    check_at_most("--threads", opt.threads, kMaxThreads);
    if (opt.arch != "mlp" && opt.arch != "dcgan" && opt.arch != "article" && opt.arch != "paper")
        throw std::invalid_argument("unknown --arch '" + opt.arch + "' (use mlp, dcgan, article or paper)");
    if (opt.batch_size < 2 && arch_uses_batch_norm(opt.arch))
        throw std::invalid_argument("--batch-size " + std::to_string(opt.batch_size) + ": arch " + opt.arch +
                                    " uses batch normalisation, which needs at least 2 images per batch");
    check_weight("--gan-weight", opt.gan_weight);
    check_weight("--dis-weight", opt.dis_weight);
    check_weight("--cond-weight", opt.cond_weight);
    check_weight("--noise-weight", opt.noise_weight);
}

void finish_options(GanOptions& opt, const std::string& program) {
    check_options(opt, program);  // every value first: nothing is created before they all pass

    std::error_code ec;
    if (!fs::exists(opt.data, ec))
        throw std::invalid_argument("--data " + opt.data + ": no such directory (run examples/fetch_mnist.sh first)");
    if (!fs::is_directory(opt.data, ec)) throw std::invalid_argument("--data " + opt.data + ": not a directory");

    prepare_out_dir(opt.out);
}

void check_batch_fits(const GanOptions& opt, std::size_t train_size) {
    if (static_cast<std::size_t>(opt.batch_size) > train_size)
        throw std::invalid_argument("--batch-size " + std::to_string(opt.batch_size) +
                                    " is larger than the training set (" + std::to_string(train_size) + " images)");
}

}  // namespace xgrad::examples
