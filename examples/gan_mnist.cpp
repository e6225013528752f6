// gan_mnist.cpp — a plain GAN (Goodfellow et al. 2014) on MNIST. The generator
// turns noise z into an image; the discriminator judges images. Diff this file
// against cgan_mnist.cpp to see exactly what conditioning on the label adds.
//
//   gan_mnist [--epochs 30] [--arch mlp|dcgan|article|paper] ...   (--help lists all)
//
// Writes to --out (default out/gan_mnist): losses.csv, samples_epoch_NNN.png
// (fixed noise), samples.png (the latest), checkpoint.safetensors.
#include <cblas.h>

#include <cstdio>
#include <filesystem>
#include <new>
#include <optional>

#include "autodiff/autodiff.hpp"
#include "examples/common/blas_info.hpp"
#include "examples/common/csv_log.hpp"
#include "examples/common/idx.hpp"
#include "examples/common/image.hpp"
#include "examples/common/interrupt.hpp"
#include "examples/common/models.hpp"
#include "examples/common/options.hpp"
#include "examples/common/progress.hpp"
#include "examples/common/run.hpp"
#include "examples/common/train_state.hpp"
#include "nn/nn.hpp"

using namespace xgrad;
using namespace xgrad::examples;

namespace {

struct StepLosses {
    float d_loss, g_loss;
};

// One training iteration: a discriminator step, then a generator step.
//   x_real (B, 784) real images.
StepLosses train_step(GeneratorNet& gen, DiscriminatorNet& disc, nn::Optimizer& opt_gen, nn::Optimizer& opt_disc,
                      const Tensor& x_real, const GanOptions& opt, Generator& rng) {
    const std::size_t batch = x_real.shape()[0];
    const Tensor ones(xt::ones<float>({batch, std::size_t{1}}));
    const Tensor zeros(xt::zeros<float>({batch, std::size_t{1}}));

    // The generator draws a batch.
    const Tensor z(rng.normal_array({batch, std::size_t(opt.z_dim)}));
    const Tensor fake = gen(z, Tensor());

    // Discriminator step: real images -> 1, generated ones -> 0.
    // fake.detach(): this step must not send gradients into the generator.
    const DiscOutput real_out = disc(x_real, Tensor());
    const DiscOutput fake_out = disc(fake.detach(), Tensor());
    Tensor d_loss = bce_with_logits(real_out.logit, ones) + bce_with_logits(fake_out.logit, zeros);
    opt_disc.zero_grad();
    d_loss.backward();
    opt_disc.step();

    // Generator step (non-saturating loss): make the updated discriminator
    // call the same fakes real. The discriminator is frozen, so no gradient work
    // is spent on its weights; the gradient still flows through it to `fake`.
    disc.requires_grad(false);
    const DiscOutput judged = disc(fake, Tensor());
    Tensor g_loss = bce_with_logits(judged.logit, ones);
    opt_gen.zero_grad();
    g_loss.backward();
    opt_gen.step();
    disc.requires_grad(true);
    return {d_loss.item(), g_loss.item()};
}

// A 10 x 10 grid from fixed noise, into the files sample_grid_paths names (run.hpp).
void write_samples(GeneratorNet& gen, const Tensor& grid_z, PixelRange range, const std::filesystem::path& out,
                   std::int64_t epoch, bool only_missing = false) {
    const auto paths = sample_grid_paths(out, epoch, only_missing);
    if (paths.empty()) return;
    NoGrad no_grad;
    gen.eval();
    const Array images = to_unit_range(gen(grid_z, Tensor()).value(), range);
    gen.train();
    for (const auto& path : paths) {
        write_image_grid(path.string(), images, 28, 28, 10, 10);
        if (only_missing) std::printf("wrote the missing %s from the checkpoint\n", path.c_str());
    }
}

int run(GanOptions& opt) {
    finish_options(opt, "gan_mnist");
    if (!opt.resume) {  // an --out that holds a run: refused, or (--overwrite) said out loud
        const std::string replacing = check_out_is_free(opt.out, "gan_mnist", opt.overwrite);
        if (!replacing.empty()) std::printf("%s\n", replacing.c_str());
    }
    if (opt.threads > 0) openblas_set_num_threads(opt.threads);
    const data::Dataset train = data::load_mnist_dir(opt.data, "train");
    check_batch_fits(opt, train.size());
    std::printf("gan_mnist: %zu training images from %s\n", train.size(), train.source.c_str());

    const Arch arch = parse_arch(opt.arch);
    const PixelRange range = pixel_range(arch);
    const Tensor images(to_pixel_range(train.images, range));

    // One seeded generator draws everything: weights, noise, dropout masks, shuffles.
    Generator rng(opt.seed);
    auto gen = make_generator(arch, opt.z_dim, 0, rng);
    auto disc = make_discriminator(arch, 0, 0, rng, rng);
    nn::Adam opt_gen(gen->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1});
    nn::Adam opt_disc(disc->named_parameters(), {.lr = opt.lr, .beta1 = opt.beta1});
    std::printf("arch %s: generator %zu parameters, discriminator %zu\n", opt.arch.c_str(), gen->num_parameters(),
                disc->num_parameters());

    // Fixed noise for the sample grids, so grids of different epochs compare.
    const Tensor grid_z(rng.normal_array({std::size_t{100}, std::size_t(opt.z_dim)}));

    const std::filesystem::path out = opt.out;
    const std::string checkpoint = (out / "checkpoint.safetensors").string();
    TrainState state;
    state.data = data_fingerprint(opt.data, train);
    state.settings = {{"program", "gan_mnist"}, {"arch", opt.arch}, {"z_dim", std::to_string(opt.z_dim)}};
    std::optional<TrainState> saved;  // what the checkpoint file holds, for the message of a non-finite stop
    if (opt.resume) {
        if (!std::filesystem::exists(checkpoint))
            throw std::runtime_error("--resume: no checkpoint at " + checkpoint + " (train without --resume first)");
        state = load_train_state(checkpoint, *gen, *disc, opt_gen, opt_disc, rng, state.settings, state.data);
        saved = state;
        if (!state.note.empty()) std::printf("%s\n", state.note.c_str());
        std::printf("resumed from %s %s\n", checkpoint.c_str(), position_text(state).c_str());
        if (state.epoch >= opt.epochs) {  // nothing to train; a grid a failed write lost is made again
            std::printf("%s\n", complete_text("gan_mnist", opt.out, state, opt.epochs).c_str());
            if (state.batch == 0) write_samples(*gen, grid_z, range, out, state.epoch, true);
            return 0;
        }
        if (opt.lr_given) {  // the checkpoint restored the saved rate; an explicit --lr replaces it
            opt_gen.set_lr(opt.lr);
            opt_disc.set_lr(opt.lr);
        }
    }
    if (opt.overwrite) remove_old_checkpoint(opt.out);  // the old run goes as the new one starts writing
    CsvLog csv((out / "losses.csv").string(), {"step", "epoch", "d_loss", "g_loss"}, opt.resume ? state.step : -1);

    print_blas_start("gan_mnist");  // which OpenBLAS kernels the training runs on (stderr)
    const std::size_t batch = opt.batch_size, steps = train.size() / batch;  // the last partial batch is dropped
    catch_interrupts();  // from here on, Ctrl-C saves a checkpoint and stops (interrupt.hpp)
    try {
        for (std::int64_t epoch = state.epoch + 1; epoch <= opt.epochs; ++epoch) {
            const Indices order = epoch_order(train.size(), batch, rng, state);  // mid-epoch on a resume
            Progress bar("epoch " + std::to_string(epoch) + "/" + std::to_string(opt.epochs), steps);
            const std::size_t first = state.batch;
            double d_sum = 0, g_sum = 0;
            for (std::size_t b = first; b < steps; ++b) {
                const Indices rows(order.begin() + b * batch, order.begin() + (b + 1) * batch);
                const Tensor x_real = index_select(images, rows);
                const StepLosses l = train_step(*gen, *disc, opt_gen, opt_disc, x_real, opt, rng);
                ++state.step;
                ++state.batch;
                check_finite("d_loss", l.d_loss, state.step, epoch);
                check_finite("g_loss", l.g_loss, state.step, epoch);
                csv.row({double(state.step), double(epoch), l.d_loss, l.g_loss});
                d_sum += l.d_loss;
                g_sum += l.g_loss;
                bar.update(b + 1, {{"d_loss", d_sum / (b + 1 - first)}, {"g_loss", g_sum / (b + 1 - first)}});
                if (interrupt_signal()) break;  // Ctrl-C: stop after this step (saved just below)
            }
            csv.flush();
            if (state.batch < static_cast<std::int64_t>(steps)) {  // a signal stopped the epoch: save where it is
                save_train_state(checkpoint, *gen, *disc, opt_gen, opt_disc, rng, state);
                saved = state;
                return report_interrupt("gan_mnist", interrupt_signal(), position_text(state), checkpoint);
            }
            bar.finish({{"d_loss", d_sum / (steps - first)}, {"g_loss", g_sum / (steps - first)}});
            state.epoch = epoch;
            state.batch = 0;
            save_train_state(checkpoint, *gen, *disc, opt_gen, opt_disc, rng, state);
            saved = state;
            if (epoch % opt.sample_every == 0 || epoch == opt.epochs)
                write_samples(*gen, grid_z, range, out, epoch);
            if (interrupt_signal() && epoch < opt.epochs)  // the signal came in the epoch's last step
                return report_interrupt("gan_mnist", interrupt_signal(), position_text(state), checkpoint);
        }
    } catch (const NonFiniteLoss& e) {  // a NaN loss or tensor: keep the last good checkpoint; say where it is
        std::fprintf(stderr, "gan_mnist: %s; stopping. %s\n", e.what(), last_good_text(checkpoint, saved).c_str());
        return 3;
    }
    std::printf("done: %s/samples.png, losses.csv, checkpoint.safetensors\n", opt.out.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress (stderr) and messages (stdout) in order
    GanOptions opt;
    if (const auto stop = read_command_line(argc, argv, "gan_mnist", opt)) return *stop;  // --help, or unreadable
    try {
        return run(opt);
    } catch (const std::bad_alloc&) {  // the option caps should prevent it; never a bare "std::bad_alloc"
        std::fprintf(stderr, "gan_mnist: out of memory (try a smaller --batch-size or --z-dim)\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gan_mnist: %s\n", e.what());
        return 1;
    }
}
