// options.hpp — the command lines of the four programs: gan_mnist and cgan_mnist
// (GanOptions), mnist_classifier (ClassifierOptions) and evaluate (EvalOptions).
// Every option has a default. Reading the command line (CLI11) happens in
// options.cpp only: CLI11 is a large header, and one file compiling it is enough.
// A value CLI11 cannot read (an unknown option, "--epochs many") is one line and
// exit status 2, and so is a --seed that is not a whole number from 0 to 2^64 - 1;
// check_options and finish_options turn a bad value ("--epochs -3", "--z-dim 100000")
// into one line too, std::invalid_argument, which main() turns into exit status 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xgrad::examples {

struct GanOptions {
    std::string data;             // MNIST-format directory; default: $XGRAD_DATA or data/mnist
    int epochs = 30;
    int batch_size = 64;
    float lr = 2e-4f;
    bool lr_given = false;        // --lr was on the command line (it then overrides a resumed rate)
    float beta1 = 0.5f;
    int z_dim = 100;
    std::uint64_t seed = 1;
    std::string out;              // output directory; default: out/<program name>
    bool resume = false;          // continue from <out>/checkpoint.safetensors
    bool overwrite = false;       // start over in an --out that already holds a run (its files are replaced)
    int sample_every = 5;         // epochs between sample grids (the last epoch always gets one)
    int threads = 0;              // OpenBLAS threads; 0 = OpenBLAS's default
    std::string arch = "mlp";     // mlp | dcgan | article | paper
    // The seed article's four losses (cgan_mnist only), as weights:
    float gan_weight = 1.0f;      // GanLoss: the generator's adversarial loss
    float dis_weight = 1.0f;      // DisLoss: the discriminator's real/fake loss
    float cond_weight = 0.0f;     // CondLoss: AC-GAN auxiliary class loss (0 = no classifier head)
    float noise_weight = 0.0f;    // NoiseLoss: real images with wrong labels count as fake
};

// mnist_classifier's options (the judge's training).
struct ClassifierOptions {
    std::string arch = "cnn";  // the judge's network: cnn | mlp (examples/common/judge.hpp)
    std::string data;  // default: $XGRAD_DATA or data/mnist
    int epochs = 20;
    int batch_size = 64;
    float lr = 1e-3f;
    int shift = 2;     // largest random shift of a training image, in pixels (0 = none)
    std::uint64_t seed = 1;
    std::string out = "out/judge";
    bool overwrite = false;  // replace an existing <out>/judge.safetensors
};

// evaluate's options.
struct EvalOptions {
    std::string judge;        // the judge's checkpoint (mnist_classifier)
    std::string checkpoint;   // a gan_mnist / cgan_mnist training checkpoint
    bool real = false;        // measure the real test set instead of a generator
    int samples = 10000;
    bool samples_given = false;  // --samples was on the command line
    std::uint64_t seed = 1;
    bool seed_given = false;     // --seed was on the command line
    std::string data;         // default: $XGRAD_DATA or data/mnist
    std::string json;         // where to write the JSON; empty = do not
};

// The largest value each size-like option of gan_mnist and cgan_mnist takes. Each
// is far above real use and keeps a mistyped number from asking for gigabytes or
// running for years (the reasons are beside them in options.cpp).
inline constexpr int kMaxEpochs = 10000;
inline constexpr int kMaxBatchSize = 4096;
inline constexpr int kMaxZDim = 4096;
inline constexpr int kMaxSampleEvery = kMaxEpochs;
inline constexpr int kMaxThreads = 256;

// Whether the --arch's networks hold a batch normalisation layer (the generators of
// mlp and dcgan do): it trains on the statistics of each batch, so it needs 2 images or more.
bool arch_uses_batch_norm(const std::string& arch);

// What reading a command line ended in: go on and run, or print `text` and stop.
struct ParseResult {
    enum Outcome { run, help, blas_info, error } outcome = run;
    // help: the --help text; blas_info: the --blas-info report (blas_info.hpp);
    // error: one line, e.g. "--arch: cnn not in {mlp,dcgan,article,paper}"
    std::string text;
};

// Read the arguments after the program's name into opt. The program decides the
// options: "gan_mnist" takes --data --epochs --batch-size --lr --beta1 --z-dim --seed
// --out --resume --sample-every --threads --arch; "cgan_mnist" also the four loss
// weights --gan-weight --dis-weight --cond-weight --noise-weight. No value is checked
// here beyond its type and --arch's list: that is check_options' job.
ParseResult parse_options(const std::vector<std::string>& args, const std::string& program, GanOptions& opt);
ParseResult parse_options(const std::vector<std::string>& args, ClassifierOptions& opt);
ParseResult parse_options(const std::vector<std::string>& args, EvalOptions& opt);

// For main(): parse argv[1..] into opt. std::nullopt: go on. Otherwise the exit status
// main() should return: 0 after --help or --blas-info (printed on stdout), 2 after a command line
// that cannot be read (printed on stderr as "<program>: <message>").
std::optional<int> read_command_line(int argc, const char* const* argv, const std::string& program, GanOptions& opt);
std::optional<int> read_command_line(int argc, const char* const* argv, ClassifierOptions& opt);
std::optional<int> read_command_line(int argc, const char* const* argv, EvalOptions& opt);

// A number as messages show it back to the user: "0.0002", "1.5", "nan" (printf's %g).
std::string number_text(double x);

// Fill defaults that depend on the program (out = "out/<program>", data from
// $XGRAD_DATA or "data/mnist") and check every value. Throws std::invalid_argument
// with one line, e.g. "--epochs must be positive, got -3",
// "--z-dim must be at most 4096, got 100000",
// "--batch-size 3000 is larger than the training set (2000 images)",
// "--out out/gan: cannot create directory (Permission denied)". Creates --out.
void finish_options(GanOptions& opt, const std::string& program);
// The part of finish_options that touches no file: the defaults and the value checks.
void check_options(GanOptions& opt, const std::string& program);
void check_batch_fits(const GanOptions& opt, std::size_t train_size);

}  // namespace xgrad::examples
