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
#include "nn/module.hpp"
#include "nn/optim.hpp"

namespace xgrad::examples {

struct TrainState {
    std::int64_t epoch = 0;  // epochs completed
    std::int64_t step = 0;   // optimizer steps (batches) completed
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

// Load only the generator's weights (for sampling / evaluation tools).
void load_generator_weights(const std::string& path, nn::Module& gen);

}  // namespace xgrad::examples
