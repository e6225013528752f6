// train_state.hpp — everything a GAN run needs to continue exactly: both
// networks, both optimizers, the epoch/step counters and the random generator,
// in one safetensors file written atomically. Names: "gen.*", "disc.*",
// "opt_gen.*", "opt_disc.*"; counters, RNG state, the run's settings
// (arch, z_dim, conditional, ...) and which data it trains on in the metadata.
// Also the checks that keep a run from being lost: an --out that already holds
// a run, a resume on other data, a save of non-finite numbers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "autodiff/random.hpp"
#include "autodiff/shape.hpp"
#include "examples/common/idx.hpp"
#include "examples/common/models.hpp"
#include "nn/module.hpp"
#include "nn/number_text.hpp"  // settings hold floats as nn::float_text: the shortest exact text
#include "nn/optim.hpp"

namespace xgrad::examples {

// Which data a run trains on: where it was read from, and a fingerprint of what it
// holds (the counts and a hash of the labels), so a resume on other data is caught.
struct DataFingerprint {
    std::string path;          // --data as given
    std::uint64_t images = 0;  // image and label counts
    std::uint64_t labels = 0;
    std::string label_hash;    // FNV-1a 64 of the labels, one byte each (as in the label file), 16 hex digits
};

// The fingerprint of `train`, read from `path`.
DataFingerprint data_fingerprint(const std::string& path, const data::Dataset& train);

// "data/mnist (8000 images, labels 9c1d5f0e3a2b4c6d)".
std::string data_text(const DataFingerprint& data);

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
    // The data the run trains on; recorded in the checkpoint when its path is not empty.
    DataFingerprint data;
    // Set by load_train_state: what the user should hear before the run goes on (e.g. the
    // data moved to another directory), or "".
    std::string note;
};

// The largest counters a checkpoint may hold, so that no counter can overflow as a
// run goes on: epochs, and steps (which losses.csv also writes as a double: exact up to 2^53).
inline constexpr std::int64_t max_epoch = 1'000'000;
inline constexpr std::int64_t max_step = std::int64_t{1} << 53;

// Atomic: a crash mid-write leaves the previous file intact. Checks first that every
// parameter, buffer and optimizer state is finite (check_finite_state): a checkpoint
// never holds NaN or inf, so the previous one stays the last good one.
void save_train_state(const std::string& path, const nn::Module& gen, const nn::Module& disc,
                      const nn::Optimizer& opt_gen, const nn::Optimizer& opt_disc, const Generator& rng,
                      const TrainState& state);

// Throws NonFiniteLoss (run.hpp) naming the first tensor that holds NaN or inf:
// "step 250 (epoch 2): parameter gen.fc1.weight holds nan" (or buffer gen.bn.running_var,
// optimizer state opt_gen.exp_avg.fc1.weight). `state` gives the step and epoch.
void check_finite_state(const nn::Module& gen, const nn::Module& disc, const nn::Optimizer& opt_gen,
                        const nn::Optimizer& opt_disc, const TrainState& state);

// Validates everything (file, names, shapes, settings equal to `expected_settings`,
// data equal to `data`, counters in range) before changing anything; std::runtime_error
// naming the path and the problem, e.g. "<path>: checkpoint is for arch paper, this run
// is arch mlp". Settings compare as text, or as numbers when both read as numbers (so
// "0.000000" of an older checkpoint is 0). The data compare by fingerprint: the same
// counts and labels at another path resume with a note (state.note); a checkpoint that
// does not record its data (written before data was recorded) resumes with a warning
// in state.note. The returned state's data is `data`, so the next save records it.
// A `data` with an empty path is not compared (a tool that reads no data).
TrainState load_train_state(const std::string& path, nn::Module& gen, nn::Module& disc, nn::Optimizer& opt_gen,
                            nn::Optimizer& opt_disc, Generator& rng,
                            const std::map<std::string, std::string>& expected_settings,
                            const DataFingerprint& data = {});

// The order of the epoch about to be trained (epoch state.epoch + 1), `n` examples
// in batches of `batch_size`; the loop starts at batch state.batch. At an epoch
// boundary (state.batch == 0) a new shuffle is drawn from rng and rng's state
// before the draw is kept in state.epoch_rng. Mid-epoch (resumed after a signal)
// the stopped run's order is drawn again from state.epoch_rng and rng is not
// touched, so the run goes on exactly as if it had never stopped. std::runtime_error
// when the stopped run cut its batches differently ("... resume with --batch-size 64").
Indices epoch_order(std::size_t n, std::size_t batch_size, Generator& rng, TrainState& state);

// "after epoch 2 (step 250)" at an epoch boundary, else "in epoch 3 after batch 55 (step 305)";
// without the step when with_step is false.
std::string position_text(const TrainState& state, bool with_step = true);

// Before a run without --resume writes into `out`: refuse an --out that already holds
// a run (checkpoint.safetensors or losses.csv), before anything is touched, with
// std::runtime_error saying what is there and the ways on, e.g.
//   "--out out/gan_mnist already holds a gan_mnist run (after epoch 3); continue it with
//    --resume, or start over with --overwrite".
// With overwrite: returns the line to print (what is there is replaced as the run writes),
// or "" when `out` holds no run. Only reads.
std::string check_out_is_free(const std::string& out, const std::string& program, bool overwrite);

// --overwrite, once every check has passed and just before the new run writes its
// first file: remove the old run's checkpoint, so that the new losses.csv can never
// be paired with it (a --resume after the new run stops early would otherwise go on
// with the old run). std::runtime_error "<path>: cannot remove (<reason>)".
void remove_old_checkpoint(const std::string& out);

// After --resume, when the checkpoint has reached --epochs: "<program>: the run in <out> is
// already complete (epoch 5 of --epochs 5); nothing to train. Raise --epochs to train on."
std::string complete_text(const std::string& program, const std::string& out, const TrainState& state,
                          int epochs);

// The end of the message of a run stopped by a non-finite number: "The last good
// checkpoint is <path> (after epoch 2)." when `saved` (what the file holds from this run
// or the one it resumed), else "No checkpoint was written yet."
std::string last_good_text(const std::string& path, const std::optional<TrainState>& saved);

// Load only the generator's weights (for sampling / evaluation tools).
void load_generator_weights(const std::string& path, nn::Module& gen);

// What a checkpoint says about its run, without loading any network: the epochs
// completed and the settings (program, arch, z_dim, ...), so a tool can build the
// right generator before load_generator_weights (epoch, step and batch range-checked
// as in load_train_state). std::runtime_error "<path>: not a GAN training checkpoint
// (no setting.program in its metadata)" for any other safetensors file (e.g. the
// judge's), and read_safetensors' errors for a bad file.
TrainState read_train_settings(const std::string& path);

// A trained generator read back from a gan_mnist or cgan_mnist checkpoint: built as the
// checkpoint's settings say (program, arch, z_dim), with the saved weights loaded.
struct SavedGenerator {
    std::string program, arch;       // e.g. "cgan_mnist", "dcgan"
    std::size_t z_dim = 0;
    bool conditional = false;        // cgan_mnist: the generator also takes the one-hot label
    PixelRange range{0.0f, 1.0f};    // the range its images are drawn in
    TrainState state;                // epochs completed, settings
    std::shared_ptr<GeneratorNet> net;
};

// `tool` names the program asking, for the messages. std::runtime_error with one line:
//   "<path>: checkpoint does not record z_dim"
//   "<path>: a checkpoint of gan2d; <tool> reads gan_mnist and cgan_mnist checkpoints"
//   "<path>: a generator of arch resnet, which this <tool> does not know"
//   "<path>: z_dim '0' is not a whole number from 1 to 4096"
// and read_train_settings' and load_generator_weights' errors.
SavedGenerator load_saved_generator(const std::string& path, const std::string& tool);

}  // namespace xgrad::examples
