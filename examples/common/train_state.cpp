// train_state.cpp — a GAN run's whole state in one safetensors file (nn/checkpoint.hpp):
//   tensors   gen.<name>, disc.<name>        parameters and buffers (BatchNorm running statistics)
//             opt_gen.<state>, opt_disc.<state>  the optimizers' moments ("opt_gen.exp_avg.fc1.weight")
//   metadata  epoch, step, batch, rng (Generator::state()), opt_gen.type/.step_count/.lr (and opt_disc.*),
//             setting.<key> for each of the run's settings (setting.arch = mlp, ...);
//             mid-epoch (batch > 0) also batch_size and epoch_rng
// A load checks every one of these against the run before it changes anything.
#include "train_state.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "nn/checkpoint.hpp"
#include "nn/number_text.hpp"
#include "run.hpp"

namespace xgrad::examples {

namespace {

using nn::NamedTensors;
using nn::float_text;
using nn::parse_whole;

const std::string setting_prefix = "setting.";

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
    const auto count = md.find(prefix + "step_count");
    if (count == md.end() || !parse_whole(count->second, out.step_count))
        throw std::runtime_error(where + "metadata " + prefix + "step_count is missing or not an integer");
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
        if (it->second != value)
            throw std::runtime_error(where + "checkpoint is for " + key + " " + it->second + ", this run is " + key +
                                     " " + value);
    }
    for (const auto& [key, value] : in_file)
        if (!expected.count(key))
            throw std::runtime_error(where + "checkpoint is for " + key + " " + value + ", this run does not set " +
                                     key);
    return in_file;
}

std::int64_t counter(const std::string& where, const nn::Metadata& md, const std::string& key) {
    std::int64_t value = 0;
    const auto it = md.find(key);
    if (it == md.end() || !parse_whole(it->second, value) || value < 0)
        throw std::runtime_error(where + "metadata " + key + " is missing or not an integer >= 0");
    return value;
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

std::string position_text(const TrainState& state) {
    const std::string step = " (step " + std::to_string(state.step) + ")";
    if (state.batch == 0) return "after epoch " + std::to_string(state.epoch) + step;
    return "in epoch " + std::to_string(state.epoch + 1) + " after batch " + std::to_string(state.batch) + step;
}

void save_train_state(const std::string& path, const nn::Module& gen, const nn::Module& disc,
                      const nn::Optimizer& opt_gen, const nn::Optimizer& opt_disc, const Generator& rng,
                      const TrainState& state) {
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
    nn::write_safetensors(path, tensors, md);
}

TrainState load_train_state(const std::string& path, nn::Module& gen, nn::Module& disc, nn::Optimizer& opt_gen,
                            nn::Optimizer& opt_disc, Generator& rng,
                            const std::map<std::string, std::string>& expected_settings) {
    const std::string where = path + ": ";
    const nn::SafetensorsFile file = nn::read_safetensors(path);
    const nn::Metadata& md = file.metadata;

    // 1. Check everything. Settings first: a different --arch also explains every shape mismatch.
    TrainState state;
    state.settings = check_settings(where, md, expected_settings);
    state.epoch = counter(where, md, "epoch");
    state.step = counter(where, md, "step");
    state.batch = counter(where, md, "batch");
    Generator probe = generator_from(where, md, "rng");
    if (state.batch > 0) {  // stopped mid-epoch: where the epoch's order came from, and how it was cut
        state.batch_size = counter(where, md, "batch_size");
        if (state.batch_size == 0) throw std::runtime_error(where + "metadata batch_size is 0 in the middle of an epoch");
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
    state.epoch = counter(where, md, "epoch");
    state.step = counter(where, md, "step");
    return state;
}

}  // namespace xgrad::examples
