// gan_pictures.cpp — what the noise and the label each control, drawn from a finished
// run of gan_mnist or cgan_mnist (its --out directory). The pictures of docs/gans.md.
//
//   style   (CGAN) ten noise vectors, one per column, each written as every digit
//           (row r asks for digit r): does a column keep one handwriting?
//   znoise  a walk in noise space, left to right, z(t) = (1 − t)·z_a + t·z_b:
//           CGAN: row r at digit r, every row between the same two noise vectors
//           (with --label L: eight rows of digit L, each between its own two);
//           GAN: eight rows, each between its own two noise vectors.
//   labels  (CGAN) a walk between two labels at fixed noise, y(t) = (1 − t)·e_a + t·e_b
//           (e_a the one-hot of digit a): one row per pair 1→7, 3→8, 4→9, 5→6, 0→6, 2→3.
//
// Every picture starts from a generator seeded with --seed alone, so a picture does not
// depend on which others are drawn with it, and the same --seed draws the same bytes.
//
//   usage: gan_pictures --run DIR [--out DIR] [--what style|znoise|labels|all]
//                       [--label L] [--seed N] [--steps N] [--overwrite]
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "examples/common/image.hpp"
#include "examples/common/judge.hpp"  // check_writable_directory, non_finite_rows
#include "examples/common/models.hpp"
#include "examples/common/options.hpp"  // kMaxZDim
#include "examples/common/run.hpp"
#include "examples/common/train_state.hpp"
#include "nn/number_text.hpp"
#include "nn/regular_file.hpp"

using namespace xgrad;
using namespace xgrad::examples;
namespace fs = std::filesystem;

namespace {

const char* const kUsage =
    "usage: gan_pictures --run DIR [--out DIR] [--what style|znoise|labels|all]\n"
    "                    [--label L] [--seed N] [--steps N] [--overwrite]\n"
    "Draws what the noise and the label control in a trained generator, as PNG grids.\n"
    "  --run DIR     the --out directory of a gan_mnist or cgan_mnist run (its\n"
    "                checkpoint.safetensors holds the generator)\n"
    "  --out DIR     where the pictures go (default: the run's directory)\n"
    "  --what W      style   (cgan_mnist) ten noise vectors down the columns, the ten\n"
    "                        digits down the rows: style.png\n"
    "                znoise  from one noise vector to another, left to right: znoise.png\n"
    "                labels  (cgan_mnist) from one digit's label to another at fixed\n"
    "                        noise: labels.png\n"
    "                all     every picture the run can draw (default)\n"
    "  --label L     znoise of a cgan_mnist run: eight walks all at digit L (0 to 9)\n"
    "                instead of one walk at each digit\n"
    "  --seed N      the noise vectors' seed, 0 to 2^64 - 1 (default: 1)\n"
    "  --steps N     images per walk, 2 to 32 (default: 10)\n"
    "  --overwrite   replace pictures already in --out\n";

constexpr std::size_t kSide = 28;          // the digits are kSide x kSide
constexpr std::size_t kStyleColumns = 10;  // noise vectors in the style grid
constexpr std::size_t kWalks = 8;          // rows of the znoise picture of a GAN (or of one --label)
// The label walks: a digit into one that shares strokes with it.
const std::vector<std::pair<std::size_t, std::size_t>> kLabelPairs = {{1, 7}, {3, 8}, {4, 9}, {5, 6}, {0, 6}, {2, 3}};

struct Options {
    std::string run, out, what = "all";
    std::optional<std::size_t> label;
    std::uint64_t seed = 1;
    std::size_t steps = 10;
    bool overwrite = false;
};

// ---------------------------------------------------------------------------------------
// The command line

// The whole text as a number of type T in [lo, hi], or nothing.
template <class T>
std::optional<T> read_number(const std::string& text, T lo, T hi) {
    T v{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) return std::nullopt;
    return v;
}

// Reads the command line into opt. Returns the exit status to stop with: 0 after
// --help, 2 for a command line it cannot use (after one line on stderr).
std::optional<int> read_arguments(int argc, char** argv, Options& opt) {
    auto refuse = [](const std::string& why) {
        std::fprintf(stderr, "gan_pictures: %s\n", why.c_str());
        return 2;
    };
    const std::vector<std::string> with_value = {"--run", "--out", "--what", "--label", "--seed", "--steps"};
    std::vector<std::string> seen;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        const bool flag = arg == "--overwrite";
        if (!flag && std::find(with_value.begin(), with_value.end(), arg) == with_value.end())
            return refuse(arg.starts_with("-") ? "unknown option " + arg + " (gan_pictures --help lists them)"
                                               : "unexpected argument " + arg + " (options are written --name value)");
        if (std::find(seen.begin(), seen.end(), arg) != seen.end()) return refuse(arg + " given twice");
        seen.push_back(arg);
        if (flag) {
            opt.overwrite = true;
            continue;
        }
        if (i + 1 == argc) return refuse(arg + " needs a value");
        const std::string value = argv[++i];
        if (arg == "--run" || arg == "--out") {
            if (value.empty()) return refuse(arg + " needs a directory");
            (arg == "--run" ? opt.run : opt.out) = value;
        } else if (arg == "--what") {
            if (value != "style" && value != "znoise" && value != "labels" && value != "all")
                return refuse("--what must be style, znoise, labels or all, got '" + value + "'");
            opt.what = value;
        } else if (arg == "--label") {
            opt.label = read_number<std::size_t>(value, 0, kClasses - 1);
            if (!opt.label) return refuse("--label must be a digit from 0 to 9, got '" + value + "'");
        } else if (arg == "--seed") {
            const auto seed = read_number<std::uint64_t>(value, 0, UINT64_MAX);
            if (!seed) return refuse("--seed must be a whole number from 0 to 2^64 - 1, got '" + value + "'");
            opt.seed = *seed;
        } else {
            const auto steps = read_number<std::size_t>(value, 2, 32);
            if (!steps) return refuse("--steps must be a whole number from 2 to 32, got '" + value + "'");
            opt.steps = *steps;
        }
    }
    if (opt.run.empty()) return refuse("--run DIR is required (the --out directory of a gan_mnist or cgan_mnist run)");
    if (opt.label && opt.what != "znoise" && opt.what != "all")
        return refuse("--label applies to --what znoise (or all), not to --what " + opt.what);
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// The run's generator

// A run's generator (train_state.hpp's SavedGenerator), where its checkpoint is, and
// how far it was trained ("after epoch 30").
struct RunGenerator : SavedGenerator {
    std::string checkpoint, position;
};

// The generator of the run in `dir`, built as its checkpoint's settings say, weights loaded.
// std::runtime_error with one line when dir is not a run or its checkpoint cannot be used.
RunGenerator load_run(const std::string& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw std::runtime_error("--run " + dir + ": no such directory");
    if (!fs::is_directory(dir, ec)) throw std::runtime_error("--run " + dir + ": not a directory");
    const std::string checkpoint = (fs::path(dir) / "checkpoint.safetensors").string();
    if (!fs::exists(fs::symlink_status(checkpoint, ec)))
        throw std::runtime_error("--run " + dir + ": no checkpoint.safetensors (not the --out of a gan_mnist or " +
                                 "cgan_mnist run, or one stopped before its first epoch)");
    std::uint64_t size = 0;  // a FIFO would block the reader: refused here at once
    ::close(nn::open_regular_file(checkpoint, size, checkpoint + ": "));

    RunGenerator g{load_saved_generator(checkpoint, "gan_pictures"), checkpoint, ""};
    g.position = position_text(g.state, false);
    return g;
}

// ---------------------------------------------------------------------------------------
// The pictures: each is a grid of rows × cols digits, image i at row i / cols, column i % cols,
// from the noise z (rows·cols, z_dim) and, for a CGAN, the label vectors y (rows·cols, 10).

struct Picture {
    std::string name;  // "style": the file is style.png
    std::size_t rows = 0, cols = 0;
    Array z, y;        // y is empty for the plain GAN
    std::string rows_are, cols_are;  // for the line that reports it
};

// The walk from a to b (two rows of length n) in `steps` even steps: (1 − t)·a + t·b,
// t = 0, 1/(steps − 1), ..., 1, written to rows first, first + 1, ... of out. A straight
// line: halfway between two noise vectors it is shorter than either (docs/gans.md, section
// 7, says why spherical interpolation is the alternative).
void walk(const float* a, const float* b, std::size_t n, std::size_t steps, Array& out, std::size_t first) {
    for (std::size_t j = 0; j < steps; ++j) {
        const float t = static_cast<float>(j) / static_cast<float>(steps - 1);
        float* row = out.data() + (first + j) * n;
        for (std::size_t k = 0; k < n; ++k) row[k] = (1.0f - t) * a[k] + t * b[k];
    }
}

// The one-hot row of digit d.
std::vector<float> one_hot_row(std::size_t d) {
    std::vector<float> row(kClasses, 0.0f);
    row[d] = 1.0f;
    return row;
}

// The label vectors of a grid whose row r asks for digit digits[r] in each of its cols cells.
Array row_labels(const std::vector<std::size_t>& digits, std::size_t cols) {
    Array y = Array::from_shape({digits.size() * cols, kClasses});
    y.fill(0.0f);
    for (std::size_t i = 0; i < digits.size() * cols; ++i) y(i, digits[i / cols]) = 1.0f;
    return y;
}

std::vector<std::size_t> all_digits() {
    std::vector<std::size_t> digits(kClasses);
    for (std::size_t d = 0; d < kClasses; ++d) digits[d] = d;
    return digits;
}

// style: column c is noise vector z_c, row r asks for digit r.
Picture style_picture(const RunGenerator& g, std::uint64_t seed) {
    Picture p;
    p.name = "style";
    p.rows = kClasses;
    p.cols = kStyleColumns;
    p.rows_are = "digits 0 to 9";
    p.cols_are = "noise vectors";
    Generator rng(seed);
    const Array noise = rng.normal_array({p.cols, g.z_dim});
    p.z = Array::from_shape({p.rows * p.cols, g.z_dim});
    for (std::size_t i = 0; i < p.rows * p.cols; ++i)
        std::copy_n(noise.data() + (i % p.cols) * g.z_dim, g.z_dim, p.z.data() + i * g.z_dim);
    p.y = row_labels(all_digits(), p.cols);
    return p;
}

// znoise: each row walks from one noise vector z_a to another z_b. A CGAN without --label:
// row r at digit r, every row the same walk; otherwise kWalks rows, each its own walk.
Picture znoise_picture(const RunGenerator& g, std::uint64_t seed, std::size_t steps,
                       std::optional<std::size_t> label) {
    const bool one_walk_per_digit = g.conditional && !label;
    Picture p;
    p.name = "znoise";
    p.rows = one_walk_per_digit ? kClasses : kWalks;
    p.cols = steps;
    p.rows_are = one_walk_per_digit ? "digits 0 to 9, all the same walk"
                 : label              ? "walks at digit " + std::to_string(*label)
                                      : "walks";
    p.cols_are = "steps from z_a to z_b";
    Generator rng(seed);
    const std::size_t walks = one_walk_per_digit ? 1 : kWalks;
    const Array ends = rng.normal_array({2 * walks, g.z_dim});  // z_a, z_b of walk w: rows 2w and 2w + 1
    p.z = Array::from_shape({p.rows * steps, g.z_dim});
    for (std::size_t r = 0; r < p.rows; ++r) {
        const std::size_t w = one_walk_per_digit ? 0 : r;
        walk(ends.data() + 2 * w * g.z_dim, ends.data() + (2 * w + 1) * g.z_dim, g.z_dim, steps, p.z, r * steps);
    }
    if (g.conditional)
        p.y = row_labels(one_walk_per_digit ? all_digits() : std::vector<std::size_t>(p.rows, *label), steps);
    return p;
}

// labels: row r holds noise vector z_r fixed and walks from the one-hot of digit a to that of b.
Picture labels_picture(const RunGenerator& g, std::uint64_t seed, std::size_t steps) {
    Picture p;
    p.name = "labels";
    p.rows = kLabelPairs.size();
    p.cols = steps;
    p.rows_are = "label walks 1>7 3>8 4>9 5>6 0>6 2>3, each at its own noise";
    p.cols_are = "steps from one label to the other";
    Generator rng(seed);
    const Array noise = rng.normal_array({p.rows, g.z_dim});
    p.z = Array::from_shape({p.rows * steps, g.z_dim});
    p.y = Array::from_shape({p.rows * steps, kClasses});
    for (std::size_t r = 0; r < p.rows; ++r) {
        const std::vector<float> a = one_hot_row(kLabelPairs[r].first), b = one_hot_row(kLabelPairs[r].second);
        walk(a.data(), b.data(), kClasses, steps, p.y, r * steps);
        for (std::size_t j = 0; j < steps; ++j)
            std::copy_n(noise.data() + r * g.z_dim, g.z_dim, p.z.data() + (r * steps + j) * g.z_dim);
    }
    return p;
}

// The generator's images of the picture, in [0, 1]: eval mode (BatchNorm uses its running
// statistics, so an image does not depend on the others drawn with it), no tape.
Array draw(const RunGenerator& g, const Picture& p) {
    NoGrad no_grad;
    g.net->eval();
    const Tensor y = g.conditional ? Tensor(p.y) : Tensor();
    Array images = to_unit_range((*g.net)(Tensor(p.z), y).value(), g.range);
    if (const NonFiniteRows bad = non_finite_rows(images); bad.count > 0)
        throw std::runtime_error(g.checkpoint + ": the generator makes NaN or infinite pixels in " + p.name +
                                 ".png; there is nothing to draw");
    return images;
}

// ---------------------------------------------------------------------------------------
// Is the style a column's? Two numbers per digit image, and how much of their spread the
// column (the noise vector) accounts for once each digit's own mean is taken away.

// ink: the mean pixel, 0 (empty) to 1 (all white): thick strokes have more.
// slant: how far the strokes move right per row going up, from the image's second
// moments around its centre of ink: −Σ a·(x − x̄)(y − ȳ) / Σ a·(y − ȳ)², y counted down.
struct Stroke {
    double ink = 0, slant = 0;
};
Stroke stroke(const float* image) {
    double total = 0, mx = 0, my = 0;
    for (std::size_t y = 0; y < kSide; ++y)
        for (std::size_t x = 0; x < kSide; ++x) {
            const double a = std::clamp(image[y * kSide + x], 0.0f, 1.0f);
            total += a;
            mx += a * double(x);
            my += a * double(y);
        }
    if (total == 0) return {};
    mx /= total;
    my /= total;
    double xy = 0, yy = 0;
    for (std::size_t y = 0; y < kSide; ++y)
        for (std::size_t x = 0; x < kSide; ++x) {
            const double a = std::clamp(image[y * kSide + x], 0.0f, 1.0f);
            xy += a * (double(x) - mx) * (double(y) - my);
            yy += a * (double(y) - my) * (double(y) - my);
        }
    return {total / double(kSide * kSide), yy > 0 ? -xy / yy : 0.0};
}

// v (rows × cols, row-major) with each row's mean taken away leaves r; the column's share
// of that spread is Σ_c rows·m_c² / Σ r², m_c the mean of column c of r. A column that
// does not matter leaves about (cols − 1) / (rows·(cols − 1)) = 1/rows of it by chance.
double column_share(const std::vector<double>& v, std::size_t rows, std::size_t cols) {
    std::vector<double> r(v), column_mean(cols, 0.0);
    for (std::size_t i = 0; i < rows; ++i) {
        double mean = 0;
        for (std::size_t j = 0; j < cols; ++j) mean += v[i * cols + j] / double(cols);
        for (std::size_t j = 0; j < cols; ++j) {
            r[i * cols + j] -= mean;
            column_mean[j] += r[i * cols + j] / double(rows);
        }
    }
    double spread = 0, by_column = 0;
    for (const double x : r) spread += x * x;
    for (const double m : column_mean) by_column += double(rows) * m * m;
    return spread > 0 ? by_column / spread : 0.0;
}

// The line under style.png: the column's share of the spread of ink and of slant.
void print_style_shares(const Array& images, const Picture& p) {
    std::vector<double> ink, slant;
    for (std::size_t i = 0; i < p.rows * p.cols; ++i) {
        const Stroke s = stroke(images.data() + i * kSide * kSide);
        ink.push_back(s.ink);
        slant.push_back(s.slant);
    }
    std::printf("  each digit's mean taken away, the column (noise vector) accounts for %.0f%% of the spread of\n"
                "  ink (stroke thickness) and %.0f%% of slant; a column that did not matter: about %.0f%%\n",
                100 * column_share(ink, p.rows, p.cols), 100 * column_share(slant, p.rows, p.cols),
                100.0 / double(p.rows));
}

// The pictures --what asks for, of those the run can draw.
std::vector<Picture> pictures_to_draw(const Options& opt, const RunGenerator& g) {
    if (!g.conditional && (opt.what == "style" || opt.what == "labels"))
        throw std::runtime_error("--what " + opt.what + " needs a cgan_mnist run (it varies the label); --run " +
                                 opt.run + " is a gan_mnist run, which draws --what znoise");
    if (!g.conditional && opt.label)
        throw std::runtime_error("--label needs a cgan_mnist run; --run " + opt.run + " is a gan_mnist run");
    std::vector<Picture> out;
    const bool all = opt.what == "all";
    if (g.conditional && (all || opt.what == "style")) out.push_back(style_picture(g, opt.seed));
    if (all || opt.what == "znoise") out.push_back(znoise_picture(g, opt.seed, opt.steps, opt.label));
    if (g.conditional && (all || opt.what == "labels")) out.push_back(labels_picture(g, opt.seed, opt.steps));
    return out;
}

// --out exists (made if missing), takes new files, and holds none of the pictures'
// files unless --overwrite: all checked before anything is drawn.
void prepare_out(const Options& opt, const std::vector<Picture>& pictures) {
    std::error_code ec;
    if (fs::exists(opt.out, ec) && !fs::is_directory(opt.out, ec))
        throw std::runtime_error("--out " + opt.out + ": not a directory");
    fs::create_directories(opt.out, ec);
    if (ec) throw std::runtime_error("--out " + opt.out + ": cannot create directory (" + ec.message() + ")");
    check_writable_directory(opt.out, "--out " + opt.out);
    if (opt.overwrite) return;
    for (const Picture& p : pictures)
        if (fs::exists(fs::symlink_status(fs::path(opt.out) / (p.name + ".png"), ec)))
            throw std::runtime_error("--out " + opt.out + " already holds " + p.name +
                                     ".png; choose another --out, or replace it with --overwrite");
}

int run(Options& opt) {
    const RunGenerator g = load_run(opt.run);
    if (opt.out.empty()) opt.out = opt.run;
    const std::vector<Picture> pictures = pictures_to_draw(opt, g);
    prepare_out(opt, pictures);
    std::printf("%s run %s (arch %s, z_dim %zu, %s), --seed %llu\n", g.program.c_str(), opt.run.c_str(),
                g.arch.c_str(), g.z_dim, g.position.c_str(), static_cast<unsigned long long>(opt.seed));
    for (const Picture& p : pictures) {
        const std::string path = (fs::path(opt.out) / (p.name + ".png")).string();
        const Array images = draw(g, p);
        write_image_grid(path, images, kSide, kSide, p.rows, p.cols);
        const std::size_t pad = 2;  // write_image_grid's default
        std::printf("wrote %s (%zu x %zu pixels): rows %s, columns %s\n", path.c_str(),
                    p.cols * kSide + (p.cols - 1) * pad, p.rows * kSide + (p.rows - 1) * pad, p.rows_are.c_str(),
                    p.cols_are.c_str());
        if (p.name == "style") print_style_shares(images, p);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    Options opt;
    if (const auto stop = read_arguments(argc, argv, opt)) return *stop;
    try {
        return run(opt);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gan_pictures: %s\n", e.what());
        return 1;
    }
}
