// options.hpp — the command line shared by gan_mnist and cgan_mnist (CLI11).
// Every option has a default; validate() turns a bad value into one clear line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

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
    int sample_every = 5;         // epochs between sample grids (the last epoch always gets one)
    int threads = 0;              // OpenBLAS threads; 0 = OpenBLAS's default
    std::string arch = "mlp";     // mlp | article | paper
    // The seed article's four losses (cgan_mnist only), as weights:
    float gan_weight = 1.0f;      // GanLoss: the generator's adversarial loss
    float dis_weight = 1.0f;      // DisLoss: the discriminator's real/fake loss
    float cond_weight = 0.0f;     // CondLoss: AC-GAN auxiliary class loss (0 = no classifier head)
    float noise_weight = 0.0f;    // NoiseLoss: real images with wrong labels count as fake
};

// Register the options both programs take (--data --epochs --batch-size --lr
// --beta1 --z-dim --seed --out --resume --sample-every --threads --arch).
void add_common_options(CLI::App& app, GanOptions& opt);
// Register --gan-weight --dis-weight --cond-weight --noise-weight.
void add_cgan_loss_options(CLI::App& app, GanOptions& opt);

// Fill defaults that depend on the program (out = "out/<program>", data from
// $XGRAD_DATA or "data/mnist") and check every value. Throws std::invalid_argument
// with one line, e.g. "--epochs must be positive, got -3",
// "--batch-size 9000 is larger than the training set (8000 images)",
// "--out out/gan: cannot create directory (Permission denied)". Creates --out.
void finish_options(GanOptions& opt, const std::string& program);
// The part of finish_options that touches no file: the defaults and the value checks.
void check_options(GanOptions& opt, const std::string& program);
void check_batch_fits(const GanOptions& opt, std::size_t train_size);

}  // namespace xgrad::examples
