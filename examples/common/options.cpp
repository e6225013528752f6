// options.cpp — the command line of gan_mnist and cgan_mnist: CLI11 options with
// their help and defaults, then finish_options, which fills the defaults that
// depend on the program and turns every bad value into one line saying what is wrong.
#include "options.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "idx.hpp"

namespace xgrad::examples {

namespace fs = std::filesystem;

void add_common_options(CLI::App& app, GanOptions& opt) {
    app.add_option("--data", opt.data, "directory with the MNIST files (default: $XGRAD_DATA, else data/mnist)");
    app.add_option("--epochs", opt.epochs, "passes over the training set")->capture_default_str();
    app.add_option("--batch-size", opt.batch_size, "images per optimizer step")->capture_default_str();
    app.add_option("--lr", opt.lr, "Adam learning rate of both networks (given with --resume: the new rate)")
        ->capture_default_str()
        ->each([&opt](const std::string&) { opt.lr_given = true; });
    app.add_option("--beta1", opt.beta1, "Adam beta1 of both networks")->capture_default_str();
    app.add_option("--z-dim", opt.z_dim, "length of the generator's noise vector z")->capture_default_str();
    app.add_option("--seed", opt.seed, "random seed: the same seed gives the same run")->capture_default_str();
    app.add_option("--out", opt.out, "output directory: samples, losses, checkpoint (default: out/<program>)");
    app.add_flag("--resume", opt.resume, "continue from <out>/checkpoint.safetensors");
    app.add_option("--sample-every", opt.sample_every, "epochs between sample grids (the last epoch always gets one)")
        ->capture_default_str();
    app.add_option("--threads", opt.threads, "OpenBLAS threads (0 = OpenBLAS's default)")->capture_default_str();
    app.add_option("--arch", opt.arch, "network architecture (see examples/common/models.hpp)")
        ->capture_default_str()
        ->check(CLI::IsMember({"mlp", "article", "paper"}));
}

void add_cgan_loss_options(CLI::App& app, GanOptions& opt) {
    app.add_option("--gan-weight", opt.gan_weight, "weight of GanLoss, the generator's adversarial loss")
        ->capture_default_str();
    app.add_option("--dis-weight", opt.dis_weight, "weight of DisLoss, the discriminator's real/fake loss")
        ->capture_default_str();
    app.add_option("--cond-weight", opt.cond_weight,
                   "weight of CondLoss, the AC-GAN class loss (0 = no classifier head)")
        ->capture_default_str();
    app.add_option("--noise-weight", opt.noise_weight,
                   "weight of NoiseLoss: real images with wrong labels count as fake")
        ->capture_default_str();
}

namespace {

// "0.0002", "1.5", "nan": how a bad number is shown back to the user.
std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return buf;
}

void check_positive(const char* name, int value) {
    if (value <= 0) throw std::invalid_argument(std::string(name) + " must be positive, got " + std::to_string(value));
}

void check_weight(const char* name, float value) {
    if (!(value >= 0.0f && std::isfinite(value)))
        throw std::invalid_argument(std::string(name) + " must be >= 0 and finite, got " + num(value));
}

// Create --out (and its parents) and prove we can write into it, by creating
// and removing a probe file: better to fail now than after the first epoch.
void prepare_out_dir(const std::string& out) {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw std::invalid_argument("--out " + out + ": cannot create directory (" + ec.message() + ")");
    if (!fs::is_directory(out))
        throw std::invalid_argument("--out " + out + ": cannot create directory (" + std::strerror(ENOTDIR) + ")");
    const std::string probe = (fs::path(out) / (".xgrad-write-test-" + std::to_string(::getpid()))).string();
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw std::invalid_argument("--out " + out + ": not writable (" + std::strerror(errno) + ")");
    ::close(fd);
    ::unlink(probe.c_str());
}

}  // namespace

void check_options(GanOptions& opt, const std::string& program) {
    // Defaults that depend on the environment and the program.
    if (opt.data.empty()) opt.data = xgrad::data::default_mnist_dir().string();
    if (opt.out.empty()) opt.out = "out/" + program;

    // Every value, in the order --help lists them.
    check_positive("--epochs", opt.epochs);
    check_positive("--batch-size", opt.batch_size);
    if (!(opt.lr > 0.0f && std::isfinite(opt.lr)))
        throw std::invalid_argument("--lr must be positive and finite, got " + num(opt.lr));
    if (!(opt.beta1 >= 0.0f && opt.beta1 < 1.0f))
        throw std::invalid_argument("--beta1 must be in [0, 1), got " + num(opt.beta1));
    check_positive("--z-dim", opt.z_dim);
    check_positive("--sample-every", opt.sample_every);
    if (opt.threads < 0)
        throw std::invalid_argument("--threads must be 0 (OpenBLAS's default) or more, got " +
                                    std::to_string(opt.threads));
    if (opt.arch != "mlp" && opt.arch != "article" && opt.arch != "paper")
        throw std::invalid_argument("unknown --arch '" + opt.arch + "' (use mlp, article or paper)");
    check_weight("--gan-weight", opt.gan_weight);
    check_weight("--dis-weight", opt.dis_weight);
    check_weight("--cond-weight", opt.cond_weight);
    check_weight("--noise-weight", opt.noise_weight);
}

void finish_options(GanOptions& opt, const std::string& program) {
    check_options(opt, program);  // every value first: nothing is created before they all pass

    std::error_code ec;
    if (!fs::exists(opt.data, ec))
        throw std::invalid_argument("--data " + opt.data + ": no such directory (run examples/fetch_mnist.sh first)");
    if (!fs::is_directory(opt.data, ec)) throw std::invalid_argument("--data " + opt.data + ": not a directory");

    prepare_out_dir(opt.out);
}

void check_batch_fits(const GanOptions& opt, std::size_t train_size) {
    if (static_cast<std::size_t>(opt.batch_size) > train_size)
        throw std::invalid_argument("--batch-size " + std::to_string(opt.batch_size) +
                                    " is larger than the training set (" + std::to_string(train_size) + " images)");
}

}  // namespace xgrad::examples
