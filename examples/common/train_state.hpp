// train_state.hpp — everything a GAN run needs to continue exactly: both
// networks, both optimizers, the epoch/step counters and the random generator,
// in one safetensors file written atomically. Names: "gen.*", "disc.*",
// "opt_gen.*", "opt_disc.*"; counters, RNG state and the run's settings
// (arch, z_dim, conditional, ...) in the metadata.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "autodiff/random.hpp"
#include "autodiff/shape.hpp"
#include "nn/module.hpp"
#include "nn/optim.hpp"

namespace xgrad::examples {

struct TrainState {
    std::int64_t epoch = 0;  // epochs completed
    std::int64_t step = 0;   // optimizer steps (batches) completed
    // Where in epoch `epoch + 1` the run is (a run stopped by a signal saves mid-epoch):
    // batches of it done (0 at an epoch boundary), the batch size they were cut
    // with, and the generator's state just before that epoch's shuffle, from which
    // its order is drawn again on resume. batch_size and epoch_rng mean something
    // (and are saved) only when batch > 0.
    std::int64_t batch = 0;
    std::int64_t batch_size = 0;
    std::string epoch_rng;
    // Settings that must match on resume (e.g. {"arch","mlp"}, {"z_dim","100"}, {"program","cgan_mnist"}).
    std::map<std::string, std::string> settings;
};

// Atomic: a crash mid-write leaves the previous file intact.
void save_train_state(const std::string& path, const nn::Module& gen, const nn::Module& disc,
                      const nn::Optimizer& opt_gen, const nn::Optimizer& opt_disc, const Generator& rng,
                      const TrainState& state);

// Validates everything (file, names, shapes, settings equal to `expected_settings`)
// before changing anything; std::runtime_error naming the path and the problem,
// e.g. "<path>: checkpoint is for arch paper, this run is arch mlp".
TrainState load_train_state(const std::string& path, nn::Module& gen, nn::Module& disc, nn::Optimizer& opt_gen,
                            nn::Optimizer& opt_disc, Generator& rng,
                            const std::map<std::string, std::string>& expected_settings);

// The order of the epoch about to be trained (epoch state.epoch + 1), `n` examples
// in batches of `batch_size`; the loop starts at batch state.batch. At an epoch
// boundary (state.batch == 0) a new shuffle is drawn from rng and rng's state
// before the draw is kept in state.epoch_rng. Mid-epoch (resumed after a signal)
// the stopped run's order is drawn again from state.epoch_rng and rng is not
// touched, so the run goes on exactly as if it had never stopped. std::runtime_error
// when the stopped run cut its batches differently ("... resume with --batch-size 64").
Indices epoch_order(std::size_t n, std::size_t batch_size, Generator& rng, TrainState& state);

// "after epoch 2 (step 250)" at an epoch boundary, else "in epoch 3 after batch 55 (step 305)".
std::string position_text(const TrainState& state);

// Load only the generator's weights (for sampling / evaluation tools).
void load_generator_weights(const std::string& path, nn::Module& gen);

// What a checkpoint says about its run, without loading any network: the epochs
// completed and the settings (program, arch, z_dim, ...), so a tool can build the
// right generator before load_generator_weights. std::runtime_error "<path>: not a
// GAN training checkpoint (no setting.program in its metadata)" for any other
// safetensors file (e.g. the judge's), and read_safetensors' errors for a bad file.
TrainState read_train_settings(const std::string& path);

}  // namespace xgrad::examples
