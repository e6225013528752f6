// test_train_state.cpp — examples/common/train_state.cpp: a GAN's whole training
// state saved and loaded into fresh networks and optimizers (values, BatchNorm
// buffers, Adam moments, counters, the random generator), a resumed run that
// continues bit for bit, every check on load (settings, data, names, shapes,
// optimizer type, metadata and its ranges) leaving the run untouched, saves that
// fail without harm or refuse non-finite numbers, and the checks and messages that
// keep a run from being lost (an --out that holds a run, a complete run, the grids).
#include "check.hpp"
#include "files.hpp"

#include <set>

#include "examples/common/run.hpp"
#include "examples/common/train_state.hpp"
#include "nn/checkpoint.hpp"

using namespace xgrad;
using namespace xgrad::examples;
using namespace xgrad::testing;

namespace {

// A tiny generator z (N, 2) → fc → BatchNorm → out → (N, 3), and its variants for the error cases.
struct GenConfig {
    std::size_t hidden = 4;
    bool bn = true;
    bool affine = true;  // BatchNorm's weight and bias (without: buffers only)
    bool extra = false;  // one more layer at the end
};

struct Gen : nn::Module {
    std::shared_ptr<nn::Linear> fc, out, extra;
    std::shared_ptr<nn::BatchNorm1d> bn;
    Gen(std::uint64_t seed, GenConfig c = {}) {
        Generator init(seed);
        fc = register_module("fc", std::make_shared<nn::Linear>(2, c.hidden, init));
        if (c.bn) bn = register_module("bn", std::make_shared<nn::BatchNorm1d>(c.hidden, 1e-5f, 0.1f, c.affine));
        out = register_module("out", std::make_shared<nn::Linear>(c.hidden, 3, init));
        if (c.extra) extra = register_module("extra", std::make_shared<nn::Linear>(3, 3, init));
    }
    Tensor forward(const Tensor& z) {
        Tensor h = (*fc)(z);
        if (bn) h = (*bn)(h);
        h = (*out)(h);
        return extra ? (*extra)(h) : h;
    }
};

// A tiny discriminator (N, 3) → 1.
struct Disc : nn::Module {
    std::shared_ptr<nn::Linear> fc;
    explicit Disc(std::uint64_t seed) {
        Generator init(seed);
        fc = register_module("fc", std::make_shared<nn::Linear>(3, 1, init));
    }
    Tensor forward(const Tensor& x) { return (*fc)(x); }
};

// Two networks, their Adam optimizers and the run's random generator: what a GAN program holds.
struct Run {
    Gen gen;
    Disc disc;
    nn::Adam opt_gen, opt_disc;
    Generator rng;
    Run(std::uint64_t seed, GenConfig c = {})
        : gen(seed, c), disc(seed + 100), opt_gen(gen.named_parameters(), {.lr = 0.01f, .beta1 = 0.5f}),
          opt_disc(disc.named_parameters(), {.lr = 0.02f, .beta1 = 0.5f}), rng(seed + 200) {}

    // Steps of a toy two-player training: the generator pulls its output towards 1, the
    // discriminator pulls its score of random inputs towards 0; both draw from rng.
    void train(int steps) {
        for (int i = 0; i < steps; ++i) {
            Tensor fake = gen.forward(Tensor(rng.normal_array({5, 2})));
            descend(opt_gen, nn::mse(fake, filled({5, 3}, 1.0f)));
            Tensor score = disc.forward(Tensor(rng.normal_array({5, 3})));
            descend(opt_disc, nn::mse(score, filled({5, 1}, 0.0f)));
        }
    }

    // A tensor of this shape with every element `value`.
    static Tensor filled(const Shape& shape, float value) {
        Array a = Array::from_shape(shape);
        a.fill(value);
        return Tensor(std::move(a));
    }
    // One step of opt down the gradient of loss.
    static void descend(nn::Optimizer& opt, const Tensor& loss) {
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
};

// Deep copies, to compare with later (the handles would follow the changes).
nn::NamedTensors snapshot(const nn::NamedTensors& ts) {
    nn::NamedTensors out;
    for (const auto& [name, t] : ts) out.emplace_back(name, t.detach());
    return out;
}

const std::map<std::string, std::string> settings = {{"arch", "mlp"}, {"z_dim", "2"}};

// Data sets of three labelled images, for the data checks.
data::Dataset labelled(const Indices& labels) {
    data::Dataset d;
    d.images = xt::zeros<float>({labels.size(), std::size_t{4}});
    d.labels = labels;
    return d;
}
const DataFingerprint mnist = data_fingerprint("data/mnist", labelled({5, 0, 4}));

void save(const std::string& path, const Run& r, std::int64_t epoch = 3, std::int64_t step = 9,
          const std::map<std::string, std::string>& s = settings, const DataFingerprint& data = mnist) {
    TrainState state;
    state.epoch = epoch;
    state.step = step;
    state.settings = s;
    state.data = data;
    save_train_state(path, r.gen, r.disc, r.opt_gen, r.opt_disc, r.rng, state);
}

TrainState load(const std::string& path, Run& r, const std::map<std::string, std::string>& s = settings,
                const DataFingerprint& data = mnist) {
    return load_train_state(path, r.gen, r.disc, r.opt_gen, r.opt_disc, r.rng, s, data);
}

// Rewrite a saved file with some of its metadata changed (or, empty value, removed).
void edit_metadata(const std::string& path, const std::map<std::string, std::string>& changes) {
    nn::SafetensorsFile f = nn::read_safetensors(path);
    for (const auto& [key, value] : changes) {
        if (value.empty()) f.metadata.erase(key);
        else f.metadata[key] = value;
    }
    nn::write_safetensors(path, f.tensors, f.metadata);
}

}  // namespace

TEST_CASE("the file: gen.*, disc.*, opt_gen.*, opt_disc.* and the metadata") {
    TempDir dir;
    Run run(1);
    run.train(2);
    save(dir / "state.safetensors", run);
    const nn::SafetensorsFile f = nn::read_safetensors(dir / "state.safetensors");
    std::set<std::string> names;
    for (const auto& [name, t] : f.tensors) names.insert(name);
    for (const char* name : {"gen.fc.weight", "gen.fc.bias", "gen.bn.weight", "gen.bn.bias", "gen.bn.running_mean",
                             "gen.bn.running_var", "gen.out.weight", "gen.out.bias", "disc.fc.weight", "disc.fc.bias",
                             "opt_gen.exp_avg.fc.weight", "opt_gen.exp_avg_sq.bn.bias", "opt_gen.step.out.bias",
                             "opt_disc.exp_avg.fc.weight"}) {
        INFO(name);
        CHECK(names.count(name) == 1);
    }
    CHECK(names.size() == 10 + 3 * 8);  // 10 tensors of the networks, 3 Adam slots per parameter (6 + 2)
    CHECK(f.metadata.at("epoch") == "3");
    CHECK(f.metadata.at("step") == "9");
    CHECK(f.metadata.at("rng") == run.rng.state());
    CHECK(f.metadata.at("opt_gen.type") == "Adam");
    CHECK(f.metadata.at("opt_gen.step_count") == "2");
    CHECK(f.metadata.at("opt_gen.lr") == "0.01");
    CHECK(f.metadata.at("opt_disc.lr") == "0.02");
    CHECK(f.metadata.at("setting.arch") == "mlp");
    CHECK(f.metadata.at("setting.z_dim") == "2");
    CHECK(f.metadata.at("data.path") == "data/mnist");
    CHECK(f.metadata.at("data.images") == "3");
    CHECK(f.metadata.at("data.labels") == "3");
    CHECK(f.metadata.at("data.label_hash") == mnist.label_hash);
}

TEST_CASE("save then load: the same state, and the run continues identically") {
    TempDir dir;
    const std::string p = dir / "state.safetensors";
    Run a(1);
    a.train(3);
    save(p, a, 3, 9);

    Run b(7);  // other initial weights, other random stream
    b.opt_gen.set_lr(0.5f);
    REQUIRE_FALSE(same_tensors(module_tensors(a.gen), module_tensors(b.gen)));
    const TrainState st = load(p, b);
    CHECK(st.epoch == 3);
    CHECK(st.step == 9);
    CHECK(st.settings == settings);

    CHECK(same_tensors(module_tensors(b.gen), module_tensors(a.gen)));  // parameters and BatchNorm running statistics
    CHECK(same_tensors(module_tensors(b.disc), module_tensors(a.disc)));
    CHECK(same_tensors(b.opt_gen.state(), a.opt_gen.state()));
    CHECK(same_tensors(b.opt_disc.state(), a.opt_disc.state()));
    CHECK(b.opt_gen.step_count() == 3);
    CHECK(b.opt_disc.step_count() == 3);
    CHECK(b.opt_gen.lr() == 0.01f);
    CHECK(b.opt_disc.lr() == 0.02f);
    CHECK(b.rng.state() == a.rng.state());

    // Two more steps on each: bit-identical, as if b had never stopped.
    a.train(2);
    b.train(2);
    CHECK(same_tensors(module_tensors(b.gen), module_tensors(a.gen)));
    CHECK(same_tensors(module_tensors(b.disc), module_tensors(a.disc)));
    CHECK(same_tensors(b.opt_gen.state(), a.opt_gen.state()));
    CHECK(b.rng.next_u64() == a.rng.next_u64());

    SUBCASE("an untrained run (no optimizer state yet) too") {
        Run fresh(3), other(4);
        save(p, fresh, 0, 0);
        CHECK(load(p, other).step == 0);
        CHECK(same_tensors(module_tensors(other.gen), module_tensors(fresh.gen)));
        CHECK(other.opt_gen.state().empty());
        CHECK(other.opt_gen.step_count() == 0);
    }
}

TEST_CASE("load checks everything before it changes anything") {
    TempDir dir;
    const std::string p = dir / "state.safetensors";
    Run saved(1);
    saved.train(2);
    save(p, saved);

    Run target(7);
    const nn::NamedTensors gen_before = snapshot(module_tensors(target.gen)),
                           disc_before = snapshot(module_tensors(target.disc));
    const std::string rng_before = target.rng.state();
    auto untouched = [&] {
        CHECK(same_tensors(module_tensors(target.gen), gen_before));
        CHECK(same_tensors(module_tensors(target.disc), disc_before));
        CHECK(target.opt_gen.step_count() == 0);
        CHECK(target.opt_gen.state().empty());
        CHECK(target.opt_disc.step_count() == 0);
        CHECK(target.rng.state() == rng_before);
    };

    SUBCASE("a different setting") {
        save(p, saved, 3, 9, {{"arch", "paper"}, {"z_dim", "2"}});
        CHECK_FAILS_WITH(load(p, target), p + ": checkpoint is for arch paper, this run is arch mlp");
        CHECK_FAILS_WITH(load(p, target, {{"arch", "paper"}, {"z_dim", "100"}}),
                         p + ": checkpoint is for z_dim 2, this run is z_dim 100");
    }
    SUBCASE("a setting missing from the file, or only in the file") {
        CHECK_FAILS_WITH(load(p, target, {{"arch", "mlp"}, {"program", "gan_mnist"}, {"z_dim", "2"}}),
                         p + ": checkpoint does not record program, this run is program gan_mnist");
        CHECK_FAILS_WITH(load(p, target, {{"arch", "mlp"}}),
                         p + ": checkpoint is for z_dim 2, this run does not set z_dim");
    }
    SUBCASE("a missing parameter, a missing buffer") {
        Run bigger(7, {.extra = true});
        CHECK_FAILS_WITH(load(p, bigger), p + ": missing parameter gen.extra.weight");
        Run no_bn(1, {.bn = false});
        save(p, no_bn);
        Run bn_without_affine(7, {.affine = false});
        CHECK_FAILS_WITH(load(p, bn_without_affine), p + ": missing buffer gen.bn.running_mean");
    }
    SUBCASE("an unexpected tensor") {
        Run bigger(1, {.extra = true});
        save(p, bigger);
        CHECK_FAILS_WITH(load(p, target), p + ": unexpected tensor gen.extra.bias in file");
        save(p, saved);
        nn::SafetensorsFile f = nn::read_safetensors(p);
        f.tensors.emplace_back("stray", Tensor(Array{1.0f}));
        nn::write_safetensors(p, f.tensors, f.metadata);
        CHECK_FAILS_WITH(load(p, target), p + ": unexpected tensor stray in file");
    }
    SUBCASE("a shape mismatch") {
        Run wider(7, {.hidden = 5});
        CHECK_FAILS_WITH(load(p, wider), p + ": shape mismatch for gen.fc.weight: file (4, 2), model (5, 2)");
    }
    SUBCASE("another optimizer") {
        Gen gen(7);
        Disc disc(8);
        nn::SGD sgd(gen.named_parameters(), {.lr = 0.1f, .momentum = 0.9f});
        nn::Adam adam(disc.named_parameters());
        Generator rng(9);
        CHECK_FAILS_WITH(load_train_state(p, gen, disc, sgd, adam, rng, settings, mnist),
                         p + ": opt_gen is Adam in the checkpoint, this run uses SGD");
    }
    SUBCASE("optimizer state that does not fit") {
        nn::SafetensorsFile f = nn::read_safetensors(p);
        for (auto& [name, t] : f.tensors)
            if (name == "opt_disc.exp_avg.fc.weight") t = Tensor(Array{1.0f, 2.0f});
        nn::write_safetensors(p, f.tensors, f.metadata);
        CHECK_FAILS_WITH(load(p, target),
                         p + ": opt_disc state: Adam: shape mismatch for exp_avg.fc.weight: state (2,), parameter (1, 3)");
    }
    SUBCASE("bad metadata") {
        edit_metadata(p, {{"epoch", "three"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata epoch is missing or not an integer from 0 to 1000000");
        edit_metadata(p, {{"epoch", "3"}, {"step", ""}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata step is missing or not an integer from 0 to 9007199254740992");
        edit_metadata(p, {{"step", "9"}, {"rng", "12 13"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata rng is missing or not a random generator state");
        edit_metadata(p, {{"rng", saved.rng.state()}, {"opt_gen.lr", "fast"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata opt_gen.lr is missing or not a number");
        edit_metadata(p, {{"opt_gen.lr", "0.01"}, {"opt_disc.step_count", ""}});
        CHECK_FAILS_WITH(load(p, target),
                         p + ": metadata opt_disc.step_count is missing or not an integer from 0 to 9007199254740992");
        // Mid-epoch (batch > 0) needs the batch size and the generator state of the epoch's shuffle.
        edit_metadata(p, {{"opt_disc.step_count", "2"}, {"batch", "x"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata batch is missing or not an integer from 0 to 9007199254740992");
        edit_metadata(p, {{"batch", "2"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata batch_size is missing or not an integer from 1 to 2147483647");
        edit_metadata(p, {{"batch_size", "3"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata epoch_rng is missing or not a random generator state");
    }
    SUBCASE("counters out of range: none can overflow as the run goes on") {
        edit_metadata(p, {{"epoch", "1000001"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata epoch is missing or not an integer from 0 to 1000000");
        edit_metadata(p, {{"epoch", "-1"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata epoch is missing or not an integer from 0 to 1000000");
        edit_metadata(p, {{"epoch", "3"}, {"step", "9007199254740993"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata step is missing or not an integer from 0 to 9007199254740992");
        edit_metadata(p, {{"step", "99999999999999999999"}});  // beyond int64 too
        CHECK_FAILS_WITH(load(p, target), p + ": metadata step is missing or not an integer from 0 to 9007199254740992");
        edit_metadata(p, {{"step", "9"}, {"batch", "9007199254740993"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata batch is missing or not an integer from 0 to 9007199254740992");
        edit_metadata(p, {{"batch", "2"}, {"batch_size", "0"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata batch_size is missing or not an integer from 1 to 2147483647");
        edit_metadata(p, {{"batch_size", "2147483648"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata batch_size is missing or not an integer from 1 to 2147483647");
        edit_metadata(p, {{"batch", "0"}, {"batch_size", ""}, {"opt_gen.step_count", "-1"}});
        CHECK_FAILS_WITH(load(p, target),
                         p + ": metadata opt_gen.step_count is missing or not an integer from 0 to 9007199254740992");
        edit_metadata(p, {{"opt_gen.step_count", "2"}, {"data.images", "4294967296"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata data.images is missing or not an integer from 0 to 4294967295");
        edit_metadata(p, {{"data.images", "3"}, {"data.labels", "x"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata data.labels is missing or not an integer from 0 to 4294967295");
        edit_metadata(p, {{"data.labels", "3"}, {"data.label_hash", "12ab"}});
        CHECK_FAILS_WITH(load(p, target), p + ": metadata data.label_hash is missing or not 16 hex digits");
    }
    SUBCASE("other data") {
        const DataFingerprint fashion = data_fingerprint("data/fashion", labelled({9, 0, 0}));
        CHECK_FAILS_WITH(load(p, target, settings, fashion),
                         p + ": checkpoint was trained on data/mnist (3 images, labels " + mnist.label_hash +
                             "); this run reads data/fashion (3 images, labels " + fashion.label_hash +
                             ") (resume with --data data/mnist)");
        const DataFingerprint more = data_fingerprint("data/mnist", labelled({5, 0, 4, 1}));
        CHECK_FAILS_WITH(load(p, target, settings, more),
                         p + ": checkpoint was trained on data/mnist (3 images, labels " + mnist.label_hash +
                             "); this run reads data/mnist (4 images, labels " + more.label_hash +
                             ") (resume with --data data/mnist)");
    }
    SUBCASE("a float setting compares exactly: 1e-07 is not 0") {
        save(p, saved, 3, 9, {{"arch", "mlp"}, {"cond_weight", nn::float_text(0.0f)}});
        CHECK_FAILS_WITH(load(p, target, {{"arch", "mlp"}, {"cond_weight", nn::float_text(1e-7f)}}),
                         p + ": checkpoint is for cond_weight 0, this run is cond_weight 1e-07");
        // Older checkpoints wrote "0.000000" (%f): read as a number, it is 0, not 1e-07.
        edit_metadata(p, {{"setting.cond_weight", "0.000000"}});
        CHECK_FAILS_WITH(load(p, target, {{"arch", "mlp"}, {"cond_weight", nn::float_text(1e-7f)}}),
                         p + ": checkpoint is for cond_weight 0.000000, this run is cond_weight 1e-07");
    }
    SUBCASE("no file") {
        const std::string missing = dir / "missing.safetensors";
        CHECK_FAILS_WITH(load(missing, target),
                         "read_safetensors(" + missing + "): cannot open (No such file or directory)");
    }
    untouched();
}

TEST_CASE("load: the data's checks, and settings that are the same number") {
    TempDir dir;
    const std::string p = dir / "state.safetensors";
    Run saved(1);
    saved.train(2);
    Run target(7);

    SUBCASE("the same data in another directory resumes, with a note; the next save records the new path") {
        save(p, saved);
        const DataFingerprint moved = data_fingerprint("/elsewhere/mnist", labelled({5, 0, 4}));
        const TrainState st = load(p, target, settings, moved);
        CHECK(st.note == p + ": note: the checkpoint was trained on this same data at data/mnist; this run reads it "
                             "from /elsewhere/mnist");
        CHECK(st.data.path == "/elsewhere/mnist");
        CHECK(load(p, target).note.empty());  // the same path: nothing to say
    }
    SUBCASE("a checkpoint that does not record its data resumes, with a warning") {
        save(p, saved, 3, 9, settings, DataFingerprint{});
        CHECK(nn::read_safetensors(p).metadata.count("data.path") == 0);
        CHECK(load(p, target).note == p + ": warning: the checkpoint does not record which data it was trained on "
                                          "(older checkpoints did not); resuming on data/mnist (3 images, labels " +
                                          mnist.label_hash + ")");
    }
    SUBCASE("an older checkpoint's float text: the same value resumes") {
        save(p, saved, 3, 9, {{"arch", "mlp"}, {"cond_weight", "0.500000"}});
        CHECK(load(p, target, {{"arch", "mlp"}, {"cond_weight", nn::float_text(0.5f)}}).epoch == 3);
    }
}

TEST_CASE("data_fingerprint: counts and the FNV-1a 64 hash of the labels") {
    // FNV-1a 64 of no bytes is its offset basis; of the one byte 0x61 ('a'), the published af63dc4c8601ec8c.
    CHECK(data_fingerprint("d", labelled({})).label_hash == "cbf29ce484222325");
    CHECK(data_fingerprint("d", labelled({0x61})).label_hash == "af63dc4c8601ec8c");
    const DataFingerprint f = data_fingerprint("data/mnist", labelled({5, 0, 4}));
    CHECK(f.images == 3);
    CHECK(f.labels == 3);
    CHECK(data_fingerprint("x", labelled({5, 4, 0})).label_hash != f.label_hash);  // the order counts
    CHECK(data_text(f) == "data/mnist (3 images, labels " + f.label_hash + ")");
}

TEST_CASE("a save refuses non-finite numbers, naming the tensor; the previous checkpoint stays") {
    TempDir dir;
    const std::string p = dir / "state.safetensors";
    Run run(1);
    run.train(2);
    save(p, run, 2, 8);
    const std::string good = read_file(p);
    const float inf = std::numeric_limits<float>::infinity();
    TrainState at_end;  // the end of epoch 3, step 12
    at_end.epoch = 3;
    at_end.step = 12;
    auto save_now = [&](const TrainState& state) {
        save_train_state(p, run.gen, run.disc, run.opt_gen, run.opt_disc, run.rng, state);
    };

    SUBCASE("a parameter") {
        Tensor w = run.gen.out->weight();  // a handle: writing it writes the module
        w.mutable_value()(1, 2) = std::nanf("");
        CHECK_FAILS_WITH_AS(save_now(at_end), "step 12 (epoch 3): parameter gen.out.weight holds nan", NonFiniteLoss);
    }
    SUBCASE("a buffer") {
        Tensor v = run.gen.bn->running_var();
        v.mutable_value()(0) = inf;
        CHECK_FAILS_WITH_AS(save_now(at_end), "step 12 (epoch 3): buffer gen.bn.running_var holds inf", NonFiniteLoss);
    }
    SUBCASE("optimizer state, mid-epoch: the epoch is the one under way") {
        // A step with a NaN weight leaves NaN moments; the weights are then put back.
        Tensor w = run.disc.fc->weight(), bias = run.disc.fc->bias();
        const Array finite_w = w.value(), finite_bias = bias.value();
        w.mutable_value()(0, 0) = std::nanf("");
        run.train(1);
        w.mutable_value() = finite_w;
        bias.mutable_value() = finite_bias;
        TrainState mid = at_end;
        mid.batch = 2;
        mid.batch_size = 5;
        CHECK_FAILS_WITH_AS(save_now(mid), "step 12 (epoch 4): optimizer state opt_disc.exp_avg.fc.weight holds nan",
                            NonFiniteLoss);
    }
    CHECK(read_file(p) == good);
    CHECK(files_in(dir.path) == 1);
}

TEST_CASE("the messages of a run: position, last good checkpoint, complete run") {
    TrainState s;
    s.epoch = 2;
    s.step = 250;
    CHECK(position_text(s, false) == "after epoch 2");
    CHECK(last_good_text("out/x/checkpoint.safetensors", s) ==
          "The last good checkpoint is out/x/checkpoint.safetensors (after epoch 2).");
    CHECK(last_good_text("out/x/checkpoint.safetensors", std::nullopt) == "No checkpoint was written yet.");
    CHECK(complete_text("gan_mnist", "out/x", s, 2) ==
          "gan_mnist: the run in out/x is already complete (epoch 2 of --epochs 2); nothing to train. Raise --epochs "
          "to train on.");
    CHECK(complete_text("gan_mnist", "out/x", s, 1) ==
          "gan_mnist: the run in out/x is already past --epochs 1 (after epoch 2); nothing to train. Raise --epochs "
          "to train on.");
    s.batch = 7;  // stopped by a signal in epoch 3
    CHECK(last_good_text("c", s) == "The last good checkpoint is c (in epoch 3 after batch 7).");
    CHECK(complete_text("cgan_mnist", "o", s, 2) ==
          "cgan_mnist: the run in o is already past --epochs 2 (in epoch 3 after batch 7); nothing to train. Raise "
          "--epochs to train on.");
}

TEST_CASE("check_out_is_free: an --out that holds a run is refused, or replaced with --overwrite") {
    TempDir dir;
    const std::string out = dir.path.string();
    const std::string p = dir / "checkpoint.safetensors";
    CHECK(check_out_is_free(out, "gan_mnist", false).empty());  // nothing there
    CHECK(check_out_is_free(out, "gan_mnist", true).empty());
    write_file(dir / "samples.png", "x");  // grids and logs alone are no run
    CHECK(check_out_is_free(out, "gan_mnist", false).empty());

    SUBCASE("a run of this program") {
        Run run(1);
        save(p, run, 3, 375, {{"program", "gan_mnist"}, {"arch", "mlp"}});
        const std::string before = read_file(p);
        CHECK_FAILS_WITH(check_out_is_free(out, "gan_mnist", false),
                         "--out " + out + " already holds a gan_mnist run (after epoch 3); continue it with --resume, "
                                          "or start over with --overwrite");
        CHECK(check_out_is_free(out, "gan_mnist", true) ==
              "--overwrite: starting over in " + out +
                  ", which holds a gan_mnist run (after epoch 3); its files are replaced as this run writes");
        CHECK(read_file(p) == before);
        CHECK_FAILS_WITH(check_out_is_free(out, "cgan_mnist", false),
                         "--out " + out + " already holds a gan_mnist run (after epoch 3); choose another --out, or "
                                          "start over with --overwrite");
    }
    SUBCASE("a checkpoint that cannot be read") {
        write_file(p, "junk");
        CHECK_FAILS_WITH(check_out_is_free(out, "gan_mnist", false),
                         "--out " + out + " already holds a checkpoint that cannot be read (read_safetensors(" + p +
                             "): file is 4 bytes long; a safetensors file starts with an 8-byte header length); "
                             "start over with --overwrite");
    }
    SUBCASE("a safetensors file of something else") {
        nn::write_safetensors(p, {{"w", Tensor(Array{1.0f})}});
        CHECK_FAILS_WITH(check_out_is_free(out, "gan_mnist", false),
                         "--out " + out + " already holds a checkpoint that cannot be read (" + p +
                             ": not a GAN training checkpoint (no setting.program in its metadata)); start over with "
                             "--overwrite");
    }
    SUBCASE("losses.csv only") {
        write_file(dir / "losses.csv", "step,epoch,d_loss,g_loss\n");
        CHECK_FAILS_WITH(check_out_is_free(out, "gan_mnist", false),
                         "--out " + out + " already holds a losses.csv but no checkpoint (a run stopped before its "
                                          "first one); start over with --overwrite");
    }
    SUBCASE("a checkpoint that is not a regular file") {
        std::filesystem::create_directory(p);
        CHECK_FAILS_WITH(check_out_is_free(out, "gan_mnist", true),
                         "--out " + out + " holds a checkpoint.safetensors that is not a regular file; move it away, "
                                          "or choose another --out");
    }
}

TEST_CASE("sample_grid_paths: the epoch's grid and samples.png, or only what is missing") {
    TempDir dir;
    const auto e5 = dir / "samples_epoch_005.png", latest = dir / "samples.png";
    using Paths = std::vector<std::filesystem::path>;
    CHECK(sample_grid_paths(dir.path, 5) == Paths{e5, latest});
    CHECK(sample_grid_paths(dir.path, 5, true) == Paths{e5, latest});
    write_file(latest, "an older epoch's grid");
    CHECK(sample_grid_paths(dir.path, 5, true) == Paths{e5, latest});  // samples.png is older than the missing grid
    write_file(e5, "x");
    CHECK(sample_grid_paths(dir.path, 5, true).empty());
    std::filesystem::remove(latest);
    CHECK(sample_grid_paths(dir.path, 5, true) == Paths{latest});
}

TEST_CASE("load_generator_weights") {
    TempDir dir;
    const std::string p = dir / "state.safetensors";
    Run saved(1);
    saved.train(2);
    save(p, saved);

    Gen gen(7);
    load_generator_weights(p, gen);
    CHECK(same_tensors(module_tensors(gen), module_tensors(saved.gen)));  // BatchNorm running statistics included

    Gen bigger(7, {.extra = true});
    CHECK_FAILS_WITH(load_generator_weights(p, bigger), p + ": missing parameter gen.extra.weight");
    Gen no_bn(7, {.bn = false});
    CHECK_FAILS_WITH(load_generator_weights(p, no_bn), p + ": unexpected tensor gen.bn.bias in file");
    Gen wider(7, {.hidden = 5});
    const nn::NamedTensors before = snapshot(module_tensors(wider));
    CHECK_FAILS_WITH(load_generator_weights(p, wider),
                     p + ": shape mismatch for gen.fc.weight: file (4, 2), model (5, 2)");
    CHECK(same_tensors(module_tensors(wider), before));
}

TEST_CASE("a save that fails does no harm") {
    TempDir dir;
    Run run(1);
    run.train(1);

    SUBCASE("parent is a regular file") {
        write_file(dir / "file", "x");
        const std::string p = dir / "file" + "/state.safetensors";
        CHECK_FAILS_WITH(save(p, run), "write_safetensors(" + p + "): cannot write (Not a directory)");
        CHECK(read_file(dir / "file") == "x");
    }
    SUBCASE("the disk fills up halfway: the previous file survives") {
        const std::string p = dir / "state.safetensors";
        save(p, run, 1, 1);
        const std::string old_bytes = read_file(p);
        run.train(1);

        // A full disk: a 256-byte limit on file size makes the write fail partway with EFBIG.
        std::string message;
        {
            const FileSizeLimit limit(256);
            try {
                save(p, run, 2, 2);
            } catch (const std::runtime_error& e) {
                message = e.what();
            }
        }

        CHECK(message == "write_safetensors(" + p + "): cannot write (File too large)");
        CHECK(read_file(p) == old_bytes);
        Run loaded(5);
        CHECK(load(p, loaded).epoch == 1);
        CHECK(files_in(dir.path) == 1);  // no temporary file
    }
}

TEST_CASE("mid-epoch: epoch_order draws a stopped run's order again, position_text says where") {
    Generator rng(5);
    TrainState state;
    const Indices order = epoch_order(10, 3, rng, state);  // a new epoch: a new shuffle
    CHECK(state.batch_size == 3);
    Generator replay;
    replay.set_state(state.epoch_rng);  // the state before the shuffle gives the same shuffle
    CHECK(shuffled_indices(10, replay) == order);

    state.batch = 2;  // stopped after 2 of the 10 / 3 = 3 batches
    const std::string now = rng.state();
    CHECK(epoch_order(10, 3, rng, state) == order);
    CHECK(rng.state() == now);  // the run's own generator goes on from where it stopped
    CHECK(position_text(state) == "in epoch 1 after batch 2 (step 0)");
    CHECK_FAILS_WITH(epoch_order(10, 4, rng, state),
                     "--resume: the checkpoint stopped in epoch 1 after batch 2 of size 3; resume it with --batch-size 3");
    state.batch = 3;
    CHECK_FAILS_WITH(epoch_order(10, 3, rng, state),
                     "--resume: the checkpoint stopped in epoch 1 after batch 3, but this training set has only 3 "
                     "batches of 3");
    state = TrainState();
    state.epoch = 2;
    state.step = 8;
    CHECK(position_text(state) == "after epoch 2 (step 8)");
}
