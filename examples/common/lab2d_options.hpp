// lab2d_options.hpp — the command line of gan2d, the two-dimensional GAN lab.
// A small hand-written reader (CLI11 stays in options.cpp): every option is
// "--name value", and every value is checked against its bounds before any work.
//
//   parse_lab2d_options  the words -> Lab2dOptions; CommandLineError (exit status 2)
//                        for a command line it cannot read: an unknown option, a
//                        missing value, "--steps many", an option given twice
//   check_lab2d_options  every value within its bounds; std::invalid_argument
//                        (exit status 1) naming the option and what is allowed
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace xgrad::examples {

struct Lab2dOptions {
    std::string data = "ring";             // ring | grid | one (mixture2d.hpp)
    std::string model = "gan";             // gan | cgan (conditioned on the mode's index)
    std::string loss = "nonsaturating";    // the generator's loss: nonsaturating | saturating
    std::string arch = "small";            // the networks: small (2 x 128 ReLU) | pacgan (PacGAN's released ones)
    int steps = 5000;                      // generator steps
    int batch_size = 256;                  // samples per step (real and generated)
    float lr = 1e-3f;                      // Adam's learning rate, both networks
    float beta1 = 0.5f;                    // Adam's beta1, both networks
    int d_steps = 1;                       // discriminator steps per generator step
    int pack = 1;                          // PacGAN: the discriminator judges this many samples at once
    int eval_every = 500;                  // steps between measurements (and sample files)
    int samples = 2500;                    // samples drawn for each measurement
    std::uint64_t seed = 1;                // draws everything: weights, data, noise
    std::string out = "out/gan2d";         // metrics.csv, modes.csv, samples_step_NNNNNN.csv
    bool overwrite = false;                // replace a run already in --out
    bool help = false;                     // --help: print the options and stop
};

// A command line that cannot be read at all.
struct CommandLineError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// args: the words after the program's name.
Lab2dOptions parse_lab2d_options(const std::vector<std::string>& args);

// The bounds of every value, in the order of the help text.
void check_lab2d_options(const Lab2dOptions& opt);

// The --help text.
std::string lab2d_help();

}  // namespace xgrad::examples
