// gan2d.cpp — mode collapse you can watch: a GAN (Goodfellow et al. 2014) or a
// conditional GAN (Mirza & Osindero 2014) on a mixture of Gaussians in the plane,
// the test beds of the mode-collapse literature (examples/common/mixture2d.hpp).
// Every sample is a dot and every mode is visible, and a run takes seconds.
//
//   gan2d [--data ring|grid|one] [--model gan|cgan] [--loss nonsaturating|saturating]
//         [--arch small|pacgan] [--d-steps 1] [--beta1 0.5] [--pack 1] [--seed 1] ...   (--help lists all)
//
// Writes to --out (default out/gan2d): metrics.csv (one row per measurement),
// modes.csv (the real modes), samples_step_NNNNNN.csv (the generator's samples at
// each measurement, for scatter plots and animations; see examples/lab2d_report.sh).
#include <cblas.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "autodiff/autodiff.hpp"
#include "nn/init.hpp"
#include "nn/atomic_file.hpp"
#include "examples/common/csv_log.hpp"
#include "examples/common/lab2d_options.hpp"
#include "examples/common/mixture2d.hpp"
#include "examples/common/run.hpp"
#include "nn/nn.hpp"

using namespace xgrad;
using namespace xgrad::examples;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kZDim = 2;       // the generator's noise: two standard normals
constexpr std::size_t kHidden = 128;   // units in each of the two hidden layers
constexpr std::size_t kMinCount = 1;   // a mode is covered by one high-quality sample or more

// in -> 128 -> ReLU -> 128 -> ReLU -> out, weights drawn from rng.
std::shared_ptr<nn::Sequential> mlp(std::size_t in, std::size_t out, Generator& rng) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Linear>(in, kHidden, rng));
    net->add(std::make_shared<nn::ReLU>());
    net->add(std::make_shared<nn::Linear>(kHidden, kHidden, rng));
    net->add(std::make_shared<nn::ReLU>());
    net->add(std::make_shared<nn::Linear>(kHidden, out, rng));
    return net;
}

// --arch pacgan: the networks of PacGAN's released code for these test beds (Lin et al.
// 2018, github.com/fjxmlzn/PacGAN, synthetic_data_experiments), so that this lab's numbers
// can be set beside the paper's. Its generator is deeper and wider than ours and
// normalizes every hidden layer; its discriminator uses maxout units (nn/maxout.hpp).
constexpr std::size_t kPacGenHidden = 400;   // four hidden layers of 400 units
constexpr std::size_t kPacDiscHidden = 200;  // three maxout layers of 200 units...
constexpr std::size_t kPacPieces = 5;        // ...each the largest of 5 pieces
constexpr float kPacInitStd = 0.02f;         // every weight from N(0, 0.02²), every bias 0

void pacgan_init(nn::Module& net, Generator& rng) {
    for (auto& [name, t] : net.named_parameters()) {
        if (t.shape().size() == 2) nn::init::normal_(t, rng, 0.0f, kPacInitStd);  // a layer's weight (out, in)
        else if (name.ends_with("bias")) nn::init::zeros_(t);                      // batch norm's scale stays 1
    }
}

// in -> 4 x [400 -> batch norm -> ReLU] -> out.
std::shared_ptr<nn::Sequential> pacgan_generator(std::size_t in, std::size_t out, Generator& rng) {
    auto net = std::make_shared<nn::Sequential>();
    for (std::size_t layer = 0, width = in; layer < 4; ++layer, width = kPacGenHidden) {
        // No bias: the batch norm right after subtracts every unit's mean, bias and all; its shift replaces it.
        net->add(std::make_shared<nn::Linear>(width, kPacGenHidden, rng, /*bias=*/false));
        net->add(std::make_shared<nn::BatchNorm1d>(kPacGenHidden));
        net->add(std::make_shared<nn::ReLU>());
    }
    net->add(std::make_shared<nn::Linear>(kPacGenHidden, out, rng));
    pacgan_init(*net, rng);
    return net;
}

// in -> 3 x maxout(200 units, 5 pieces) -> out.
std::shared_ptr<nn::Sequential> pacgan_discriminator(std::size_t in, std::size_t out, Generator& rng) {
    auto net = std::make_shared<nn::Sequential>();
    for (std::size_t layer = 0, width = in; layer < 3; ++layer, width = kPacDiscHidden)
        net->add(std::make_shared<nn::Maxout>(width, kPacDiscHidden, kPacPieces, rng));
    net->add(std::make_shared<nn::Linear>(kPacDiscHidden, out, rng));
    pacgan_init(*net, rng);
    return net;
}

// What a run is: the data, whether the networks see the mode, how D packs its input.
struct Lab {
    Mixture mixture;
    bool conditional;  // CGAN: the one-hot mode index goes into both networks
    std::size_t pack;  // PacGAN: D judges `pack` samples concatenated into one row
    bool saturating;   // the generator minimizes log(1 - D(G(z))) instead of -log D(G(z))
    std::size_t modes() const { return mixture.modes(); }
};

// x (N, d) -> [x ‖ one_hot(modes)] for the CGAN, x itself for the plain GAN.
Tensor with_mode(const Tensor& x, const Indices& modes, const Lab& lab) {
    return lab.conditional ? concat({x, one_hot(modes, lab.modes())}, 1) : x;
}

// The generator's points (N, 2) for noise z (N, 2) and, for the CGAN, the modes asked for.
Tensor generate(nn::Sequential& gen, const Tensor& z, const Indices& modes, const Lab& lab) {
    return gen(with_mode(z, modes, lab));
}

// D's logits (N / pack, 1): each row of its input is `pack` consecutive samples side by side.
Tensor judge(nn::Sequential& disc, const Tensor& x, const Indices& modes, const Lab& lab) {
    const Tensor rows = with_mode(x, modes, lab);
    const auto width = static_cast<std::ptrdiff_t>(rows.shape()[1] * lab.pack);
    return disc(reshape(rows, {-1, width}));
}

struct StepLosses {
    float d_loss, g_loss;
};

// One training iteration: d_steps discriminator steps, then a generator step.
StepLosses train_step(nn::Sequential& gen, nn::Sequential& disc, nn::Optimizer& opt_gen, nn::Optimizer& opt_disc,
                      const Lab& lab, std::size_t batch, int d_steps, Generator& rng) {
    const std::size_t judged_rows = batch / lab.pack;
    const Tensor ones(xt::ones<float>({judged_rows, std::size_t{1}}));
    const Tensor zeros(xt::zeros<float>({judged_rows, std::size_t{1}}));
    // The modes the generator is asked for (the CGAN's labels), uniform like the data's.
    const auto ask = [&] { return lab.conditional ? random_labels(batch, lab.modes(), rng) : Indices{}; };

    float d_value = 0;
    for (int k = 0; k < d_steps; ++k) {
        // Discriminator step: real points -> 1, generated ones -> 0 (detached: no gradient into G).
        const MixtureSamples real = sample_mixture(lab.mixture, batch, rng);
        const Indices fake_modes = ask();
        const Tensor fake = generate(gen, Tensor(rng.normal_array({batch, kZDim})), fake_modes, lab);
        Tensor d_loss = bce_with_logits(judge(disc, Tensor(real.points), real.modes, lab), ones) +
                        bce_with_logits(judge(disc, fake.detach(), fake_modes, lab), zeros);
        opt_disc.zero_grad();
        d_loss.backward();
        opt_disc.step();
        d_value = d_loss.item();
    }

    // Generator step against the frozen discriminator (the gradient still flows through it).
    const Indices fake_modes = ask();
    const Tensor fake = generate(gen, Tensor(rng.normal_array({batch, kZDim})), fake_modes, lab);
    disc.requires_grad(false);
    const Tensor logit = judge(disc, fake, fake_modes, lab);
    // Non-saturating: maximize log D(G(z)). Saturating (the original minimax): minimize log(1 - D(G(z))),
    // whose gradient vanishes exactly when D confidently rejects the fakes.
    Tensor g_loss = lab.saturating ? -bce_with_logits(logit, zeros) : bce_with_logits(logit, ones);
    opt_gen.zero_grad();
    g_loss.backward();
    opt_gen.step();
    disc.requires_grad(true);
    return {d_value, g_loss.item()};
}

// Rows "x,y" (and ",mode" for the CGAN: the mode asked for) under a header, as one string.
std::string points_csv(const Array& points, const Indices& modes) {
    std::string text = modes.empty() ? "x,y\n" : "x,y,mode\n";
    char line[96];
    for (std::size_t i = 0; i < points.shape()[0]; ++i) {
        if (modes.empty())
            std::snprintf(line, sizeof line, "%.6g,%.6g\n", points(i, 0), points(i, 1));
        else
            std::snprintf(line, sizeof line, "%.6g,%.6g,%zu\n", points(i, 0), points(i, 1), modes[i]);
        text += line;
    }
    return text;
}

// Create --out, and refuse to mix this run's files with an earlier run's unless --overwrite.
void prepare_out(const Lab2dOptions& opt) {
    std::error_code ec;
    fs::create_directories(opt.out, ec);
    if (ec || !fs::is_directory(opt.out))
        throw std::invalid_argument("--out " + opt.out + ": cannot create directory (" +
                                    (ec ? ec.message() : std::string("Not a directory")) + ")");
    const fs::path metrics = fs::path(opt.out) / "metrics.csv";
    if (!fs::exists(metrics)) return;
    if (!opt.overwrite)
        throw std::invalid_argument("--out " + opt.out + " already holds a run (metrics.csv); pass --overwrite to "
                                    "replace it, or choose another --out");
    for (const auto& entry : fs::directory_iterator(opt.out)) {  // the earlier run's sample files
        const std::string name = entry.path().filename().string();
        if (name.rfind("samples_step_", 0) == 0 && entry.path().extension() == ".csv") fs::remove(entry.path());
    }
}

int run(const Lab2dOptions& opt) {
    check_lab2d_options(opt);  // every value first: nothing is created before they all pass
    prepare_out(opt);
    openblas_set_num_threads(1);  // 128-unit layers: one thread is fastest

    const Lab lab{make_mixture(opt.data), opt.model == "cgan", std::size_t(opt.pack), opt.loss == "saturating"};
    const std::size_t cond = lab.conditional ? lab.modes() : 0;

    // One seeded generator draws everything: weights, data, noise, labels.
    Generator rng(opt.seed);
    const bool pacgan_arch = opt.arch == "pacgan";
    auto gen = pacgan_arch ? pacgan_generator(kZDim + cond, 2, rng) : mlp(kZDim + cond, 2, rng);
    auto disc = pacgan_arch ? pacgan_discriminator((2 + cond) * lab.pack, 1, rng) : mlp((2 + cond) * lab.pack, 1, rng);
    nn::Adam opt_gen(gen->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1});
    nn::Adam opt_disc(disc->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1});
    std::printf("gan2d: %s on %s (%zu modes, sigma %g), loss %s, d-steps %d, beta1 %g, pack %d, seed %llu\n",
                opt.model.c_str(), opt.data.c_str(), lab.modes(), lab.mixture.sigma, opt.loss.c_str(), opt.d_steps,
                opt.beta1, opt.pack, static_cast<unsigned long long>(opt.seed));
    std::printf("networks: %s, generator %zu parameters, discriminator %zu\n", opt.arch.c_str(),
                gen->num_parameters(), disc->num_parameters());

    // Fixed noise (and, for the CGAN, every mode asked for equally often) for the
    // measurements, so measurements at different steps compare.
    const std::size_t n_eval = opt.samples;
    const Tensor eval_z(rng.normal_array({n_eval, kZDim}));
    Indices eval_modes;
    if (lab.conditional)
        for (std::size_t i = 0; i < n_eval; ++i) eval_modes.push_back(i % lab.modes());

    const fs::path out = opt.out;
    Array modes_xy = Array::from_shape({lab.modes(), std::size_t{2}});
    for (std::size_t k = 0; k < lab.modes(); ++k) {
        modes_xy(k, 0) = lab.mixture.means[k].x;
        modes_xy(k, 1) = lab.mixture.means[k].y;
    }
    nn::write_file_atomically(out / "modes.csv", points_csv(modes_xy, {}));
    CsvLog csv((out / "metrics.csv").string(),
               {"step", "d_loss", "g_loss", "modes_covered", "high_quality", "kl", "mean_x", "mean_y"});

    // Measure the generator on the fixed noise; write its samples; print and log one line.
    StepLosses last{NAN, NAN};
    const auto measure = [&](int step) {
        Array points;
        {
            // Still in training mode: --arch pacgan's batch norm normalizes with these samples'
            // own statistics, as PacGAN's code measures (its running averages are never used).
            NoGrad no_grad;
            points = generate(*gen, eval_z, eval_modes, lab).value();
        }
        const ModeReport r = measure_modes(lab.mixture, points, kMinCount);
        double mean_x = 0, mean_y = 0;  // where the samples are on average (the one-Gaussian test checks it)
        for (std::size_t i = 0; i < n_eval; ++i) {
            mean_x += points(i, 0) / double(n_eval);
            mean_y += points(i, 1) / double(n_eval);
        }
        char name[48];
        std::snprintf(name, sizeof name, "samples_step_%06d.csv", step);
        nn::write_file_atomically(out / name, points_csv(points, eval_modes));
        csv.row({double(step), last.d_loss, last.g_loss, double(r.covered), r.high_quality_share, r.kl, mean_x, mean_y});
        csv.flush();
        if (step > 0) std::printf("step %d: d_loss %.3f g_loss %.3f | ", step, last.d_loss, last.g_loss);
        else std::printf("before training | ");  // no losses yet (NaN in metrics.csv)
        std::printf("modes %zu/%zu, high quality %.1f%%, KL %.3f, mean (%.3f, %.3f)\n", r.covered, lab.modes(),
                    100 * r.high_quality_share, r.kl, mean_x, mean_y);
        return r;
    };

    measure(0);
    ModeReport final_report;
    for (int step = 1; step <= opt.steps; ++step) {
        last = train_step(*gen, *disc, opt_gen, opt_disc, lab, opt.batch_size, opt.d_steps, rng);
        if (!std::isfinite(last.d_loss) || !std::isfinite(last.g_loss))
            throw std::runtime_error("step " + std::to_string(step) + ": a loss is not finite (d_loss " +
                                     std::to_string(last.d_loss) + ", g_loss " + std::to_string(last.g_loss) +
                                     "); try a smaller --lr");
        if (step % opt.eval_every == 0 || step == opt.steps) final_report = measure(step);
    }
    std::printf("done: %zu/%zu modes covered, %.1f%% high quality, KL %.3f; files in %s\n", final_report.covered,
                lab.modes(), 100 * final_report.high_quality_share, final_report.kl, opt.out.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    Lab2dOptions opt;
    try {
        opt = parse_lab2d_options(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const CommandLineError& e) {  // unreadable: status 2, as for the other programs
        std::fprintf(stderr, "gan2d: %s\n", e.what());
        return 2;
    }
    if (opt.help) {
        std::fputs(lab2d_help().c_str(), stdout);
        return 0;
    }
    try {
        return run(opt);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gan2d: %s\n", e.what());
        return 1;
    }
}
