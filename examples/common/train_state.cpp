// train_state.cpp — a GAN run's whole state in one safetensors file (nn/checkpoint.hpp):
//   tensors   gen.<name>, disc.<name>        parameters and buffers (BatchNorm running statistics)
//             opt_gen.<state>, opt_disc.<state>  the optimizers' moments ("opt_gen.exp_avg.fc1.weight")
//   metadata  epoch, step, batch, rng (Generator::state()), opt_gen.type/.step_count/.lr (and opt_disc.*),
//             setting.<key> for each of the run's settings (setting.arch = mlp, ...);
//             data.path, data.images, data.labels, data.label_hash: the data it trains on;
//             mid-epoch (batch > 0) also batch_size and epoch_rng
// A load checks every one of these against the run before it changes anything.
#include "train_state.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "nn/checkpoint.hpp"
#include "nn/number_text.hpp"
#include "options.hpp"  // kMaxZDim
#include "run.hpp"

namespace xgrad::examples {

namespace {

using nn::NamedTensors;
using nn::float_text;
using nn::parse_whole;

const std::string setting_prefix = "setting.";

// The largest image or label count an IDX file can hold (its dimensions are 32-bit).
constexpr std::int64_t max_count = (std::int64_t{1} << 32) - 1;

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// The file's tensors by name, and which of them a check has matched to the run.
struct FileTensors {
    std::map<std::string, const Tensor*> by_name;
    std::set<std::string> claimed;

    explicit FileTensors(const NamedTensors& tensors) {
        for (const auto& [name, t] : tensors) by_name[name] = &t;
    }
    // Every file tensor whose name starts with prefix must have been claimed.
    void check_all_claimed(const std::string& where, const std::string& prefix = "") const {
        for (const auto& [name, t] : by_name)
            if (starts_with(name, prefix) && !claimed.count(name))
                throw std::runtime_error(where + "unexpected tensor " + name + " in file");
    }
};

// A module's parameters and buffers, as the file names them ("gen.fc1.weight"),
// each with what it is, for messages.
struct ModuleTensor {
    std::string file_name;
    const char* kind;  // "parameter" or "buffer"
    Tensor tensor;     // the module's own handle: writing its value writes the module
};

std::vector<ModuleTensor> module_tensors(const nn::Module& m, const std::string& prefix) {
    std::vector<ModuleTensor> out;
    for (auto& [name, t] : m.named_parameters()) out.push_back({prefix + name, "parameter", t});
    for (auto& [name, t] : m.named_buffers()) out.push_back({prefix + name, "buffer", t});
    return out;
}

// Each of the module's tensors is in the file with its shape (claimed there).
void check_module(const std::string& where, FileTensors& file, const std::vector<ModuleTensor>& tensors) {
    for (const ModuleTensor& mt : tensors) {
        const auto it = file.by_name.find(mt.file_name);
        if (it == file.by_name.end()) throw std::runtime_error(where + "missing " + mt.kind + " " + mt.file_name);
        if (it->second->shape() != mt.tensor.shape())
            throw std::runtime_error(where + "shape mismatch for " + mt.file_name + ": file " +
                                     shape_str(it->second->shape()) + ", model " + shape_str(mt.tensor.shape()));
        file.claimed.insert(mt.file_name);
    }
}

// Copy the file's values into the module's existing arrays (every handle to them sees the change).
void copy_module(const FileTensors& file, std::vector<ModuleTensor>& tensors) {
    for (ModuleTensor& mt : tensors) {
        const Array& src = file.by_name.at(mt.file_name)->value();
        std::copy_n(src.data(), src.size(), mt.tensor.mutable_value().data());
    }
}

// The integer in metadata `key`, which must be in lo..hi: the bounds keep every counter
// that grows from it (epoch, step) far from overflowing.
std::int64_t counter(const std::string& where, const nn::Metadata& md, const std::string& key, std::int64_t lo,
                     std::int64_t hi) {
    std::int64_t value = 0;
    const auto it = md.find(key);
    if (it == md.end() || !parse_whole(it->second, value) || value < lo || value > hi)
        throw std::runtime_error(where + "metadata " + key + " is missing or not an integer from " +
                                 std::to_string(lo) + " to " + std::to_string(hi));
    return value;
}

// One optimizer's part of the file, checked against the optimizer it will be loaded into.
struct OptimizerState {
    NamedTensors state;  // names without the "opt_gen." prefix, as Optimizer::load_state wants them
    std::int64_t step_count = 0;
    float lr = 0.0f;
};

OptimizerState check_optimizer(const std::string& where, FileTensors& file, const nn::Metadata& md,
                               const std::string& key, const nn::Optimizer& opt) {
    const std::string prefix = key + ".";
    const auto type = md.find(prefix + "type");
    if (type == md.end()) throw std::runtime_error(where + "metadata " + prefix + "type is missing");
    if (type->second != opt.name())
        throw std::runtime_error(where + key + " is " + type->second + " in the checkpoint, this run uses " +
                                 opt.name());
    OptimizerState out;
    out.step_count = counter(where, md, prefix + "step_count", 0, max_step);
    const auto lr = md.find(prefix + "lr");
    if (lr == md.end() || !parse_whole(lr->second, out.lr))
        throw std::runtime_error(where + "metadata " + prefix + "lr is missing or not a number");
    for (const auto& [name, t] : file.by_name)
        if (starts_with(name, prefix)) {
            out.state.emplace_back(name.substr(prefix.size()), *t);
            file.claimed.insert(name);
        }
    try {
        opt.check_state(out.state, out.step_count, out.lr);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(where + key + " state: " + e.what());
    }
    return out;
}

// Two texts of a setting mean the same: equal, or both numbers of the same value
// ("0.000000", as older checkpoints wrote floats, is "0"; "1e-07" is not).
bool same_setting(const std::string& a, const std::string& b) {
    float x = 0, y = 0;
    return a == b || (parse_whole(a, x) && parse_whole(b, y) && x == y);
}

// The run's settings against the file's "setting.*" metadata: the same keys, the same values.
std::map<std::string, std::string> check_settings(const std::string& where, const nn::Metadata& md,
                                                  const std::map<std::string, std::string>& expected) {
    std::map<std::string, std::string> in_file;
    for (const auto& [key, value] : md)
        if (starts_with(key, setting_prefix)) in_file[key.substr(setting_prefix.size())] = value;
    for (const auto& [key, value] : expected) {
        const auto it = in_file.find(key);
        if (it == in_file.end())
            throw std::runtime_error(where + "checkpoint does not record " + key + ", this run is " + key + " " + value);
        if (!same_setting(it->second, value))
            throw std::runtime_error(where + "checkpoint is for " + key + " " + it->second + ", this run is " + key +
                                     " " + value);
    }
    for (const auto& [key, value] : in_file)
        if (!expected.count(key))
            throw std::runtime_error(where + "checkpoint is for " + key + " " + value + ", this run does not set " +
                                     key);
    return in_file;
}

// The data a checkpoint was trained on; an empty path when it does not record it.
DataFingerprint data_in_file(const std::string& where, const nn::Metadata& md) {
    DataFingerprint data;
    const auto path = md.find("data.path");
    if (path == md.end()) return data;
    data.path = path->second;
    data.images = static_cast<std::uint64_t>(counter(where, md, "data.images", 0, max_count));
    data.labels = static_cast<std::uint64_t>(counter(where, md, "data.labels", 0, max_count));
    const auto hash = md.find("data.label_hash");
    if (hash == md.end() || hash->second.size() != 16 ||
        hash->second.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw std::runtime_error(where + "metadata data.label_hash is missing or not 16 hex digits");
    data.label_hash = hash->second;
    return data;
}

// The checkpoint's data against the run's: throws when they differ; returns a note when
// the same data moved, or a warning when the checkpoint does not say; else "".
std::string compare_data(const std::string& where, const DataFingerprint& file, const DataFingerprint& run) {
    if (file.path.empty())
        return where + "warning: the checkpoint does not record which data it was trained on (older checkpoints "
                       "did not); resuming on " + data_text(run);
    if (file.images != run.images || file.labels != run.labels || file.label_hash != run.label_hash)
        throw std::runtime_error(where + "checkpoint was trained on " + data_text(file) + "; this run reads " +
                                 data_text(run) + " (resume with --data " + file.path + ")");
    if (file.path != run.path)
        return where + "note: the checkpoint was trained on this same data at " + file.path +
               "; this run reads it from " + run.path;
    return "";
}

// The first value in t that is NaN or infinite, as text ("nan", "inf", "-inf"); "" when all are finite.
std::string non_finite_value(const Tensor& t) {
    const Array& a = t.value();
    const float* bad = std::find_if(a.data(), a.data() + a.size(), [](float x) { return !std::isfinite(x); });
    if (bad == a.data() + a.size()) return "";
    return std::isnan(*bad) ? "nan" : *bad > 0 ? "inf" : "-inf";
}

// A generator set to the state text in metadata `key`.
Generator generator_from(const std::string& where, const nn::Metadata& md, const std::string& key) {
    Generator g;
    const auto it = md.find(key);
    try {
        if (it == md.end()) throw std::invalid_argument("missing");
        g.set_state(it->second);
    } catch (const std::invalid_argument&) {
        throw std::runtime_error(where + "metadata " + key + " is missing or not a random generator state");
    }
    return g;
}

}  // namespace

Indices epoch_order(std::size_t n, std::size_t batch_size, Generator& rng, TrainState& state) {
    if (state.batch == 0) {  // a new epoch: a new shuffle
        state.epoch_rng = rng.state();
        state.batch_size = static_cast<std::int64_t>(batch_size);
        return shuffled_indices(n, rng);
    }
    const std::string stopped = "the checkpoint stopped in epoch " + std::to_string(state.epoch + 1) + " after batch " +
                                std::to_string(state.batch);
    if (state.batch_size != static_cast<std::int64_t>(batch_size))
        throw std::runtime_error("--resume: " + stopped + " of size " + std::to_string(state.batch_size) +
                                 "; resume it with --batch-size " + std::to_string(state.batch_size));
    if (static_cast<std::uint64_t>(state.batch) >= n / batch_size)
        throw std::runtime_error("--resume: " + stopped + ", but this training set has only " +
                                 std::to_string(n / batch_size) + " batches of " + std::to_string(batch_size));
    Generator at_epoch_start;
    at_epoch_start.set_state(state.epoch_rng);
    return shuffled_indices(n, at_epoch_start);
}

DataFingerprint data_fingerprint(const std::string& path, const data::Dataset& train) {
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a 64: its offset basis, then per byte xor and multiply
    for (const std::size_t label : train.labels) {
        hash ^= static_cast<std::uint8_t>(label);
        hash *= 1099511628211ull;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return {path, train.images.shape()[0], train.labels.size(), hex};
}

std::string data_text(const DataFingerprint& data) {
    return data.path + " (" + std::to_string(data.images) + " images, labels " + data.label_hash + ")";
}

std::string position_text(const TrainState& state, bool with_step) {
    const std::string step = with_step ? " (step " + std::to_string(state.step) + ")" : "";
    if (state.batch == 0) return "after epoch " + std::to_string(state.epoch) + step;
    return "in epoch " + std::to_string(state.epoch + 1) + " after batch " + std::to_string(state.batch) + step;
}

std::string check_out_is_free(const std::string& out, const std::string& program, bool overwrite) {
    namespace fs = std::filesystem;
    const fs::path checkpoint = fs::path(out) / "checkpoint.safetensors";
    std::error_code ec;
    const bool has_checkpoint = fs::exists(checkpoint, ec), has_log = fs::exists(fs::path(out) / "losses.csv", ec);
    if (!has_checkpoint && !has_log) return "";

    // What is there, and the ways on.
    std::string what, ways = "continue it with --resume, or start over with --overwrite";
    if (!has_checkpoint) {
        what = "a losses.csv but no checkpoint (a run stopped before its first one)";
        ways = "start over with --overwrite";
    } else if (!fs::is_regular_file(checkpoint, ec)) {  // (reading a FIFO would block)
        throw std::runtime_error("--out " + out + " holds a checkpoint.safetensors that is not a regular file; " +
                                 "move it away, or choose another --out");
    } else {
        try {
            const TrainState there = read_train_settings(checkpoint.string());
            const std::string other = there.settings.at("program");
            what = "a " + other + " run (" + position_text(there, false) + ")";
            if (other != program) ways = "choose another --out, or start over with --overwrite";
        } catch (const std::exception& e) {
            what = "a checkpoint that cannot be read (" + std::string(e.what()) + ")";
            ways = "start over with --overwrite";
        }
    }
    if (!overwrite) throw std::runtime_error("--out " + out + " already holds " + what + "; " + ways);
    return "--overwrite: starting over in " + out + ", which holds " + what +
           "; its files are replaced as this run writes";
}

void remove_old_checkpoint(const std::string& out) {
    const std::filesystem::path checkpoint = std::filesystem::path(out) / "checkpoint.safetensors";
    std::error_code ec;
    std::filesystem::remove(checkpoint, ec);  // (no file: nothing to do, and no error)
    if (ec) throw std::runtime_error(checkpoint.string() + ": cannot remove (" + ec.message() + ")");
}

std::string complete_text(const std::string& program, const std::string& out, const TrainState& state,
                          int epochs) {
    const std::string where = state.batch == 0 && state.epoch == epochs
                                  ? "already complete (epoch " + std::to_string(state.epoch) + " of --epochs " +
                                        std::to_string(epochs) + ")"
                                  : "already past --epochs " + std::to_string(epochs) + " (" +
                                        position_text(state, false) + ")";
    return program + ": the run in " + out + " is " + where + "; nothing to train. Raise --epochs to train on.";
}

std::string last_good_text(const std::string& path, const std::optional<TrainState>& saved) {
    if (!saved) return "No checkpoint was written yet.";
    return "The last good checkpoint is " + path + " (" + position_text(*saved, false) + ").";
}

void check_finite_state(const nn::Module& gen, const nn::Module& disc, const nn::Optimizer& opt_gen,
                        const nn::Optimizer& opt_disc, const TrainState& state) {
    const std::int64_t epoch = state.batch == 0 ? state.epoch : state.epoch + 1;  // the epoch the run is in
    auto check = [&](const std::string& kind, const std::string& name, const Tensor& t) {
        const std::string bad = non_finite_value(t);
        if (!bad.empty())
            throw NonFiniteLoss("step " + std::to_string(state.step) + " (epoch " + std::to_string(epoch) + "): " +
                                kind + " " + name + " holds " + bad);
    };
    for (const auto& [module, prefix] : {std::pair{&gen, "gen."}, std::pair{&disc, "disc."}})
        for (const ModuleTensor& mt : module_tensors(*module, prefix)) check(mt.kind, mt.file_name, mt.tensor);
    for (const auto& [opt, key] : {std::pair{&opt_gen, "opt_gen."}, std::pair{&opt_disc, "opt_disc."}})
        for (const auto& [name, t] : opt->state()) check("optimizer state", key + name, t);
}

void save_train_state(const std::string& path, const nn::Module& gen, const nn::Module& disc,
                      const nn::Optimizer& opt_gen, const nn::Optimizer& opt_disc, const Generator& rng,
                      const TrainState& state) {
    check_finite_state(gen, disc, opt_gen, opt_disc, state);
    NamedTensors tensors;
    for (const auto& [module, prefix] : {std::pair{&gen, "gen."}, std::pair{&disc, "disc."}})
        for (ModuleTensor& mt : module_tensors(*module, prefix)) tensors.emplace_back(mt.file_name, mt.tensor);

    nn::Metadata md;
    md["epoch"] = std::to_string(state.epoch);
    md["step"] = std::to_string(state.step);
    md["batch"] = std::to_string(state.batch);
    if (state.batch > 0) {
        md["batch_size"] = std::to_string(state.batch_size);
        md["epoch_rng"] = state.epoch_rng;
    }
    md["rng"] = rng.state();
    for (const auto& [opt, key] : {std::pair{&opt_gen, "opt_gen"}, std::pair{&opt_disc, "opt_disc"}}) {
        for (auto& [name, t] : opt->state()) tensors.emplace_back(std::string(key) + "." + name, std::move(t));
        md[std::string(key) + ".type"] = opt->name();
        md[std::string(key) + ".step_count"] = std::to_string(opt->step_count());
        md[std::string(key) + ".lr"] = float_text(opt->lr());
    }
    for (const auto& [key, value] : state.settings) md[setting_prefix + key] = value;
    if (!state.data.path.empty()) {
        md["data.path"] = state.data.path;
        md["data.images"] = std::to_string(state.data.images);
        md["data.labels"] = std::to_string(state.data.labels);
        md["data.label_hash"] = state.data.label_hash;
    }
    nn::write_safetensors(path, tensors, md);
}

TrainState load_train_state(const std::string& path, nn::Module& gen, nn::Module& disc, nn::Optimizer& opt_gen,
                            nn::Optimizer& opt_disc, Generator& rng,
                            const std::map<std::string, std::string>& expected_settings,
                            const DataFingerprint& data) {
    const std::string where = path + ": ";
    const nn::SafetensorsFile file = nn::read_safetensors(path);
    const nn::Metadata& md = file.metadata;

    // 1. Check everything. Settings first: a different --arch also explains every shape mismatch.
    TrainState state;
    state.settings = check_settings(where, md, expected_settings);
    const DataFingerprint in_file = data_in_file(where, md);
    if (!data.path.empty()) state.note = compare_data(where, in_file, data);
    state.data = data;  // the next save records the data as this run reads it
    state.epoch = counter(where, md, "epoch", 0, max_epoch);
    state.step = counter(where, md, "step", 0, max_step);
    state.batch = counter(where, md, "batch", 0, max_step);  // and below the epoch's batch count: epoch_order
    Generator probe = generator_from(where, md, "rng");
    if (state.batch > 0) {  // stopped mid-epoch: where the epoch's order came from, and how it was cut
        state.batch_size = counter(where, md, "batch_size", 1, INT_MAX);  // as --batch-size, an int
        generator_from(where, md, "epoch_rng");
        state.epoch_rng = md.at("epoch_rng");
    }

    FileTensors tensors(file.tensors);
    std::vector<ModuleTensor> gen_tensors = module_tensors(gen, "gen."), disc_tensors = module_tensors(disc, "disc.");
    check_module(where, tensors, gen_tensors);
    check_module(where, tensors, disc_tensors);
    tensors.check_all_claimed(where, "gen.");  // networks first: their messages say more than the optimizers'
    tensors.check_all_claimed(where, "disc.");
    const OptimizerState gen_opt = check_optimizer(where, tensors, md, "opt_gen", opt_gen);
    const OptimizerState disc_opt = check_optimizer(where, tensors, md, "opt_disc", opt_disc);
    tensors.check_all_claimed(where);

    // 2. All checked: change the run.
    copy_module(tensors, gen_tensors);
    copy_module(tensors, disc_tensors);
    opt_gen.load_state(gen_opt.state, gen_opt.step_count, gen_opt.lr);
    opt_disc.load_state(disc_opt.state, disc_opt.step_count, disc_opt.lr);
    rng = probe;
    return state;
}

void load_generator_weights(const std::string& path, nn::Module& gen) {
    const std::string where = path + ": ";
    const nn::SafetensorsFile file = nn::read_safetensors(path);
    FileTensors tensors(file.tensors);
    std::vector<ModuleTensor> gen_tensors = module_tensors(gen, "gen.");
    check_module(where, tensors, gen_tensors);
    tensors.check_all_claimed(where, "gen.");
    copy_module(tensors, gen_tensors);
}

TrainState read_train_settings(const std::string& path) {
    const std::string where = path + ": ";
    const nn::Metadata md = nn::read_safetensors(path).metadata;
    if (!md.count(setting_prefix + "program"))
        throw std::runtime_error(where + "not a GAN training checkpoint (no setting.program in its metadata)");
    TrainState state;
    for (const auto& [key, value] : md)
        if (starts_with(key, setting_prefix)) state.settings[key.substr(setting_prefix.size())] = value;
    state.epoch = counter(where, md, "epoch", 0, max_epoch);
    state.step = counter(where, md, "step", 0, max_step);
    if (md.count("batch")) state.batch = counter(where, md, "batch", 0, max_step);
    return state;
}

SavedGenerator load_saved_generator(const std::string& path, const std::string& tool) {
    SavedGenerator g;
    g.state = read_train_settings(path);
    const auto setting = [&](const std::string& key) {
        const auto it = g.state.settings.find(key);
        if (it == g.state.settings.end()) throw std::runtime_error(path + ": checkpoint does not record " + key);
        return it->second;
    };
    g.program = setting("program");
    if (g.program != "gan_mnist" && g.program != "cgan_mnist")
        throw std::runtime_error(path + ": a checkpoint of " + g.program + "; " + tool +
                                 " reads gan_mnist and cgan_mnist checkpoints");
    g.arch = setting("arch");
    Arch arch = Arch::mlp;
    try {
        arch = parse_arch(g.arch);
    } catch (const std::invalid_argument&) {
        throw std::runtime_error(path + ": a generator of arch " + g.arch + ", which this " + tool + " does not know");
    }
    const std::string z_text = setting("z_dim");
    if (!nn::parse_whole(z_text, g.z_dim) || g.z_dim < 1 || g.z_dim > std::size_t(kMaxZDim))
        throw std::runtime_error(path + ": z_dim '" + z_text + "' is not a whole number from 1 to " +
                                 std::to_string(kMaxZDim));
    g.conditional = g.program == "cgan_mnist";
    g.range = pixel_range(arch);

    Generator init(0);  // the initial weights do not matter: the checkpoint overwrites every one
    g.net = make_generator(arch, g.z_dim, g.conditional ? kClasses : 0, init);
    load_generator_weights(path, *g.net);
    return g;
}

}  // namespace xgrad::examples
