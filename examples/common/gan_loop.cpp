// gan_loop.cpp — the run around a GAN's training step: the data, the checkpoint
// (saved, resumed, refused), the epochs with their progress line and losses.csv,
// the sample grids, and the stops (a signal, a non-finite number).
#include "gan_loop.hpp"

#include <cblas.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <new>
#include <optional>
#include <stdexcept>
#include <utility>

#include "autodiff/autodiff.hpp"
#include "examples/common/blas_info.hpp"
#include "examples/common/csv_log.hpp"
#include "examples/common/image.hpp"
#include "examples/common/interrupt.hpp"
#include "examples/common/progress.hpp"
#include "examples/common/run.hpp"
#include "examples/common/train_state.hpp"

namespace xgrad::examples {

namespace {

// A 10 x 10 grid from the fixed noise, into the files sample_grid_paths names (run.hpp).
void write_samples(GeneratorNet& gen, const DrawGrid& draw_grid, const Tensor& grid_z, PixelRange range,
                   const std::filesystem::path& out, std::int64_t epoch, bool only_missing = false) {
    const auto paths = sample_grid_paths(out, epoch, only_missing);
    if (paths.empty()) return;
    NoGrad no_grad;
    gen.eval();
    const Array images = to_unit_range(draw_grid(grid_z).value(), range);
    gen.train();
    for (const auto& path : paths) {
        write_image_grid(path.string(), images, 28, 28, 10, 10);
        if (only_missing) std::printf("wrote the missing %s from the checkpoint\n", path.c_str());
    }
}

}  // namespace

GanData read_gan_data(GanOptions& opt, const std::string& program) {
    finish_options(opt, program);
    if (!opt.resume) {  // an --out that holds a run: refused, or (--overwrite) said out loud
        const std::string replacing = check_out_is_free(opt.out, program, opt.overwrite);
        if (!replacing.empty()) std::printf("%s\n", replacing.c_str());
    }
    if (opt.threads > 0) openblas_set_num_threads(opt.threads);
    data::Dataset train = data::load_mnist_dir(opt.data, "train");
    check_batch_fits(opt, train.size());
    std::printf("%s: %zu training images from %s\n", program.c_str(), train.size(), train.source.c_str());

    // The real images live in the same range as the generator's output (tanh or sigmoid).
    const Arch arch = parse_arch(opt.arch);
    const PixelRange range = pixel_range(arch);
    const Tensor images(to_pixel_range(train.images, range));
    return {program, std::move(train), arch, range, images};
}

int train_gan(const GanOptions& opt, const GanData& data, const GanNetworks& nets,
              const std::map<std::string, std::string>& settings, const TrainStep& step, const DrawGrid& draw_grid) {
    const std::string& program = data.program;
    const data::Dataset& train = data.train;
    GeneratorNet& gen = nets.gen;
    DiscriminatorNet& disc = nets.disc;
    nn::Optimizer& opt_gen = nets.opt_gen;
    nn::Optimizer& opt_disc = nets.opt_disc;
    Generator& rng = nets.rng;
    std::printf("arch %s: generator %zu parameters, discriminator %zu\n", opt.arch.c_str(), gen.num_parameters(),
                disc.num_parameters());

    // Fixed noise for the sample grids, so grids of different epochs compare.
    const Tensor grid_z(rng.normal_array({std::size_t{100}, std::size_t(opt.z_dim)}));

    // The checkpoint: what a --resume must match, and the run it continues.
    const std::filesystem::path out = opt.out;
    const std::string checkpoint = (out / "checkpoint.safetensors").string();
    TrainState state;
    state.data = data_fingerprint(opt.data, train);
    state.settings = {{"program", program}, {"arch", opt.arch}, {"z_dim", std::to_string(opt.z_dim)}};
    state.settings.insert(settings.begin(), settings.end());
    std::optional<TrainState> saved;  // what the checkpoint file holds, for the message of a non-finite stop
    if (opt.resume) {
        if (!std::filesystem::exists(checkpoint))
            throw std::runtime_error("--resume: no checkpoint at " + checkpoint + " (train without --resume first)");
        state = load_train_state(checkpoint, gen, disc, opt_gen, opt_disc, rng, state.settings, state.data);
        saved = state;
        if (!state.note.empty()) std::printf("%s\n", state.note.c_str());
        std::printf("resumed from %s %s\n", checkpoint.c_str(), position_text(state).c_str());
        if (state.epoch >= opt.epochs) {  // nothing to train; a grid a failed write lost is made again
            std::printf("%s\n", complete_text(program, opt.out, state, opt.epochs).c_str());
            if (state.batch == 0) write_samples(gen, draw_grid, grid_z, data.range, out, state.epoch, true);
            return 0;
        }
        if (opt.lr_given) {  // the checkpoint restored the saved rate; an explicit --lr replaces it
            opt_gen.set_lr(opt.lr);
            opt_disc.set_lr(opt.lr);
        }
    }
    if (opt.overwrite) remove_old_checkpoint(opt.out);  // the old run goes as the new one starts writing
    CsvLog csv((out / "losses.csv").string(), {"step", "epoch", "d_loss", "g_loss"}, opt.resume ? state.step : -1);

    // The epochs: the program's step on every batch, a checkpoint after each epoch.
    print_blas_start(program);  // which OpenBLAS kernels the training runs on (stderr)
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
                const Tensor x_real = index_select(data.images, rows);
                const Indices y_real = take(train.labels, order, b * batch, (b + 1) * batch);
                const StepLosses l = step(x_real, y_real);
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
                save_train_state(checkpoint, gen, disc, opt_gen, opt_disc, rng, state);
                saved = state;
                return report_interrupt(program, interrupt_signal(), position_text(state), checkpoint);
            }
            bar.finish({{"d_loss", d_sum / (steps - first)}, {"g_loss", g_sum / (steps - first)}});
            state.epoch = epoch;
            state.batch = 0;
            save_train_state(checkpoint, gen, disc, opt_gen, opt_disc, rng, state);
            saved = state;
            if (epoch % opt.sample_every == 0 || epoch == opt.epochs)
                write_samples(gen, draw_grid, grid_z, data.range, out, epoch);
            if (interrupt_signal() && epoch < opt.epochs)  // the signal came in the epoch's last step
                return report_interrupt(program, interrupt_signal(), position_text(state), checkpoint);
        }
    } catch (const NonFiniteLoss& e) {  // a NaN loss or tensor: keep the last good checkpoint; say where it is
        std::fprintf(stderr, "%s: %s; stopping. %s\n", program.c_str(), e.what(),
                     last_good_text(checkpoint, saved).c_str());
        return 3;
    }
    std::printf("done: %s/samples.png, losses.csv, checkpoint.safetensors\n", opt.out.c_str());
    return 0;
}

int gan_program_main(int argc, char** argv, const std::string& program,
                     const std::function<int(GanOptions&)>& run) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress (stderr) and messages (stdout) in order
    GanOptions opt;
    if (const auto stop = read_command_line(argc, argv, program, opt)) return *stop;  // --help, or unreadable
    try {
        return run(opt);
    } catch (const std::bad_alloc&) {  // the option caps should prevent it; never a bare "std::bad_alloc"
        std::fprintf(stderr, "%s: out of memory (try a smaller --batch-size or --z-dim)\n", program.c_str());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
        return 1;
    }
}

}  // namespace xgrad::examples
