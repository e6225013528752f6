// lab2d_options.cpp — reading and checking gan2d's command line (lab2d_options.hpp).
#include "lab2d_options.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "mixture2d.hpp"

namespace xgrad::examples {

namespace {

// The whole word as a number of type T, or CommandLineError naming the option.
template <class T>
T read_number(const std::string& name, const std::string& word, const char* what) {
    T value{};
    const char* end = word.data() + word.size();
    const auto [ptr, ec] = std::from_chars(word.data(), end, value);
    if (ec == std::errc::result_out_of_range) throw CommandLineError(name + ": '" + word + "' is out of range");
    if (ec != std::errc() || ptr != end) throw CommandLineError(name + ": '" + word + "' is not " + what);
    return value;
}

std::string text(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return buf;
}

void check_range(const char* name, long long value, long long lo, long long hi) {
    if (value < lo || value > hi)
        throw std::invalid_argument(std::string(name) + " must be between " + std::to_string(lo) + " and " +
                                    std::to_string(hi) + ", got " + std::to_string(value));
}

}  // namespace

Lab2dOptions parse_lab2d_options(const std::vector<std::string>& args) {
    Lab2dOptions opt;
    const auto whole = [](int& to) {
        return [&to](const std::string& n, const std::string& w) { to = read_number<int>(n, w, "a whole number"); };
    };
    const auto real = [](float& to) {
        return [&to](const std::string& n, const std::string& w) { to = read_number<float>(n, w, "a number"); };
    };
    const auto word = [](std::string& to) { return [&to](const std::string&, const std::string& w) { to = w; }; };
    const std::map<std::string, std::function<void(const std::string&, const std::string&)>> takes_value = {
        {"--data", word(opt.data)},
        {"--model", word(opt.model)},
        {"--loss", word(opt.loss)},
        {"--arch", word(opt.arch)},
        {"--steps", whole(opt.steps)},
        {"--batch-size", whole(opt.batch_size)},
        {"--lr", real(opt.lr)},
        {"--beta1", real(opt.beta1)},
        {"--d-steps", whole(opt.d_steps)},
        {"--pack", whole(opt.pack)},
        {"--eval-every", whole(opt.eval_every)},
        {"--samples", whole(opt.samples)},
        {"--seed",
         [&opt](const std::string& n, const std::string& w) {
             opt.seed = read_number<std::uint64_t>(n, w, "a whole number >= 0");
         }},
        {"--out", word(opt.out)},
    };
    std::set<std::string> seen;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& name = args[i];
        if (name == "--help" || name == "-h") {
            opt.help = true;
            continue;
        }
        const bool flag = name == "--overwrite";
        const auto option = takes_value.find(name);
        if (!flag && option == takes_value.end()) {
            if (name.rfind("-", 0) == 0) throw CommandLineError("unknown option '" + name + "' (--help lists them)");
            throw CommandLineError("unexpected argument '" + name + "' (options are written --name value)");
        }
        if (!seen.insert(name).second) throw CommandLineError(name + " is given twice");
        if (flag) {
            opt.overwrite = true;
            continue;
        }
        if (i + 1 == args.size() || args[i + 1].rfind("--", 0) == 0)  // "--steps --lr 1": --steps has no value
            throw CommandLineError(name + " needs a value");
        option->second(name, args[++i]);
    }
    return opt;
}

void check_lab2d_options(const Lab2dOptions& opt) {
    make_mixture(opt.data);  // "unknown --data 'x' (use ring, grid or one)"
    if (opt.model != "gan" && opt.model != "cgan")
        throw std::invalid_argument("unknown --model '" + opt.model + "' (use gan or cgan)");
    if (opt.loss != "nonsaturating" && opt.loss != "saturating")
        throw std::invalid_argument("unknown --loss '" + opt.loss + "' (use nonsaturating or saturating)");
    if (opt.arch != "small" && opt.arch != "pacgan")
        throw std::invalid_argument("unknown --arch '" + opt.arch + "' (use small or pacgan)");
    check_range("--steps", opt.steps, 1, 1000000);
    check_range("--batch-size", opt.batch_size, 1, 4096);
    if (!(opt.lr > 0.0f && opt.lr <= 1.0f)) throw std::invalid_argument("--lr must be in (0, 1], got " + text(opt.lr));
    if (!(opt.beta1 >= 0.0f && opt.beta1 < 1.0f))
        throw std::invalid_argument("--beta1 must be in [0, 1), got " + text(opt.beta1));
    check_range("--d-steps", opt.d_steps, 1, 100);
    check_range("--pack", opt.pack, 1, 16);
    if (opt.batch_size % opt.pack != 0)
        throw std::invalid_argument("--batch-size " + std::to_string(opt.batch_size) + " is not a multiple of --pack " +
                                    std::to_string(opt.pack));
    check_range("--eval-every", opt.eval_every, 1, 1000000);
    check_range("--samples", opt.samples, 1, 100000);
    // Each measurement writes a samples file: at most 1001 of them (step 0 and up to 1000 more).
    if (opt.steps / opt.eval_every > 1000)
        throw std::invalid_argument("--steps " + std::to_string(opt.steps) + " with --eval-every " +
                                    std::to_string(opt.eval_every) + " measures " +
                                    std::to_string(opt.steps / opt.eval_every) +
                                    " times, more than 1000 (each writes a samples file); raise --eval-every");
    if (opt.out.empty()) throw std::invalid_argument("--out must name a directory");
}

std::string lab2d_help() {
    const Lab2dOptions d;
    return "gan2d: a GAN or conditional GAN on a mixture of Gaussians in the plane, measured for mode collapse\n"
           "Usage: gan2d [--name value]...\n"
           "  --data ring|grid|one        8 Gaussians on a ring, 25 on a grid, or one (default " + d.data + ")\n"
           "  --model gan|cgan            plain, or conditioned on the mode's index (default " + d.model + ")\n"
           "  --loss nonsaturating|saturating  the generator's loss (default " + d.loss + ")\n"
           "  --arch small|pacgan         the networks: two hidden layers of 128 ReLU units, or those of\n"
           "                              PacGAN's released code (G 4 x 400 with batch norm, D 3 maxout\n"
           "                              layers of 200 units x 5 pieces) (default " + d.arch + ")\n"
           "  --steps N                   generator steps, 1..1000000 (default " + std::to_string(d.steps) + ")\n"
           "  --batch-size N              samples per step, 1..4096 (default " + std::to_string(d.batch_size) + ")\n"
           "  --lr X                      Adam's learning rate, (0, 1] (default " + text(d.lr) + ")\n"
           "  --beta1 X                   Adam's beta1, [0, 1) (default " + text(d.beta1) + ")\n"
           "  --d-steps N                 discriminator steps per generator step, 1..100 (default " +
           std::to_string(d.d_steps) + ")\n"
           "  --pack M                    PacGAN: the discriminator judges M samples at once, 1..16,\n"
           "                              dividing --batch-size (default " + std::to_string(d.pack) + ")\n"
           "  --eval-every N              steps between measurements, 1..1000000 (default " +
           std::to_string(d.eval_every) + ")\n"
           "  --samples N                 samples per measurement, 1..100000 (default " + std::to_string(d.samples) +
           ")\n"
           "  --seed N                    draws weights, data and noise (default " + std::to_string(d.seed) + ")\n"
           "  --out DIR                   metrics.csv, modes.csv, samples_step_NNNNNN.csv (default " + d.out + ")\n"
           "  --overwrite                 replace a run already in --out\n";
}

}  // namespace xgrad::examples
