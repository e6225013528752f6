// im2col_picture.cpp — im2col drawn and printed: a 6 x 6 image with its pixels
// numbered 1 to 36, the column matrix kernels::im2col makes of it for a square
// window with zero padding, at stride 1 and at stride 2, how many windows read
// each pixel (col2im of a column matrix of ones), and what the column matrix
// costs at the shapes of a small DCGAN. The pictures of docs/convolutions.md.
//
//   usage: im2col_picture [--out PATH] [--kernel K] [--padding P]
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "autodiff/kernels.hpp"  // internal (the ops' loops): im2col, col2im, Window2d
#include "examples/common/image.hpp"

using namespace xgrad;

const char* const kUsage =
    "usage: im2col_picture [--out PATH] [--kernel K] [--padding P]\n"
    "A 6 x 6 image with its pixels numbered 1 to 36, and the column matrix im2col makes\n"
    "of it for a K x K window with P zeros of padding, at stride 1 and stride 2: printed,\n"
    "and drawn as a PNG (top: stride 1, bottom: stride 2; padding in yellow, three\n"
    "windows outlined in red, green and blue in the image and in the matrix; on the\n"
    "right, in blue, how many windows read each pixel, darkest where most do).\n"
    "  --out PATH     where the PNG goes (default: im2col.png)\n"
    "  --kernel K     the window's side, 1 to 6 (default: 3)\n"
    "  --padding P    zeros added on each side, 0 to 3 (default: 1)\n";

constexpr std::size_t kSide = 6;  // the image is kSide x kSide, one channel

struct Options {
    std::string out = "im2col.png";
    std::size_t kernel = 3, padding = 1;
};

// A whole number in [lo, hi], or nothing.
std::optional<std::size_t> read_count(const std::string& text, std::size_t lo, std::size_t hi) {
    std::size_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) return std::nullopt;
    return v;
}

// The command line: --help, or options each with its value. Returns the exit status to
// stop with (0 after --help, 2 for a command line it cannot use, after one line on stderr).
std::optional<int> read_arguments(int argc, char** argv, Options& opt) {
    auto refuse = [](const std::string& why) {
        std::fprintf(stderr, "im2col_picture: %s (usage: im2col_picture [--out PATH] [--kernel K] [--padding P])\n",
                     why.c_str());
        return 2;
    };
    std::vector<std::string> seen;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (arg != "--out" && arg != "--kernel" && arg != "--padding")
            return refuse(arg.starts_with("-") ? "unknown option " + arg : "unexpected argument " + arg);
        if (std::find(seen.begin(), seen.end(), arg) != seen.end()) return refuse(arg + " given twice");
        seen.push_back(arg);
        if (i + 1 == argc) return refuse(arg + " needs a value");
        const std::string value = argv[++i];
        if (arg == "--out") {
            if (value.empty()) return refuse("--out needs a path");
            opt.out = value;
        } else if (arg == "--kernel") {
            const auto k = read_count(value, 1, kSide);
            if (!k) return refuse("--kernel must be a whole number from 1 to 6, got '" + value + "'");
            opt.kernel = *k;
        } else {
            const auto p = read_count(value, 0, 3);
            if (!p) return refuse("--padding must be a whole number from 0 to 3, got '" + value + "'");
            opt.padding = *p;
        }
    }
    return std::nullopt;
}

// ---- The numbers ------------------------------------------------------------------

// The window over the 6 x 6 image for a stride.
kernels::Window2d window(const Options& opt, std::size_t stride) {
    kernels::Window2d win;
    win.channels = 1;
    win.height = win.width = kSide;
    win.kernel = opt.kernel;
    win.stride = stride;
    win.padding = opt.padding;
    return win;
}

// The column matrix of an image, (kh·kw, OH·OW) for one channel.
std::vector<float> columns(const std::vector<float>& image, const kernels::Window2d& win) {
    std::vector<float> cols(win.col_rows() * win.col_cols());
    kernels::im2col(image.data(), win, cols.data());
    return cols;
}

// How many windows read each pixel: col2im of a column matrix of ones.
std::vector<float> coverage(const kernels::Window2d& win) {
    const std::vector<float> ones(win.col_rows() * win.col_cols(), 1.0f);
    std::vector<float> count(kSide * kSide, 0.0f);
    kernels::col2im(ones.data(), win, count.data());
    return count;
}

void print_grid(const std::vector<float>& values, std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < cols; ++c) std::printf("%4g", static_cast<double>(values[r * cols + c]));
        std::printf("\n");
    }
}

// OH = (H + 2P − K) / S + 1, written out with its numbers (integer division rounds down).
void print_output_size(const Options& opt, std::size_t stride) {
    const kernels::Window2d win = window(opt, stride);
    const std::size_t top = kSide + 2 * opt.padding - opt.kernel;
    std::printf("stride %zu: OH = OW = (%zu + 2*%zu - %zu) / %zu + 1 = %zu / %zu + 1 = %zu, so %zu windows;"
                " column matrix (%zu, %zu)\n",
                stride, kSide, opt.padding, opt.kernel, stride, top, stride, win.out_h(),
                win.out_h() * win.out_w(), win.col_rows(), win.col_cols());
}

// The stride-2 column matrix with its row (tap) and column (window) labels.
void print_columns(const std::vector<float>& cols, const kernels::Window2d& win) {
    std::printf("  tap\\window");
    for (std::size_t oh = 0; oh < win.out_h(); ++oh)
        for (std::size_t ow = 0; ow < win.out_w(); ++ow) std::printf(" (%zu,%zu)", oh, ow);
    std::printf("\n");
    for (std::size_t i = 0; i < win.kernel.h; ++i)
        for (std::size_t j = 0; j < win.kernel.w; ++j) {
            std::printf("  (%zu,%zu)     ", i, j);
            const std::size_t row = i * win.kernel.w + j;
            for (std::size_t k = 0; k < win.col_cols(); ++k)
                std::printf("%6g", static_cast<double>(cols[row * win.col_cols() + k]));
            std::printf("\n");
        }
}

// What one convolution's column matrix costs: a layer of a DCGAN discriminator on
// 28 x 28 digits (4 x 4 windows, stride 2, padding 1), per image and for a batch of 64.
void print_dcgan_cost() {
    struct Layer {
        const char* name;
        std::size_t in_channels, side, out_channels;
    };
    const Layer layers[] = {{"conv 1 -> 64", 1, 28, 64}, {"conv 64 -> 128", 64, 14, 128}};
    const std::size_t batch = 64;
    std::printf("\nthe column matrix of a DCGAN discriminator (4 x 4 windows, stride 2, padding 1), batch %zu:\n",
                batch);
    for (const Layer& l : layers) {
        kernels::Window2d win;
        win.channels = l.in_channels;
        win.height = win.width = l.side;
        win.kernel = 4;
        win.stride = 2;
        win.padding = 1;
        const std::size_t per_image = win.col_rows() * win.col_cols(), input = l.in_channels * l.side * l.side;
        std::printf("%s on (%zu, %zu, %zu): output %zu x %zu, column matrix (%zu, %zu) = %zu floats per image,"
                    " %.1f times the input's %zu\n",
                    l.name, l.in_channels, l.side, l.side, win.out_h(), win.out_w(), win.col_rows(), win.col_cols(),
                    per_image, static_cast<double>(per_image) / static_cast<double>(input), input);
        const double mib = static_cast<double>(batch * per_image * sizeof(float)) / (1024.0 * 1024.0);
        std::printf("  batch of %zu: %zu floats (%.2f MiB); the product per image W (%zu, %zu) . cols (%zu, %zu)\n",
                    batch, batch * per_image, mib, l.out_channels, win.col_rows(), win.col_rows(), win.col_cols());
    }
}

// ---- The picture ----------------------------------------------------------------

constexpr std::size_t kCell = 16, kMargin = 10, kGap = 32;

struct Rgb {
    unsigned char r, g, b;
};
constexpr Rgb kWhite{255, 255, 255}, kGridLine{200, 200, 200}, kPadding{255, 236, 160};
constexpr Rgb kHighlight[] = {{220, 40, 40}, {0, 150, 70}, {40, 90, 220}};

struct Canvas {
    examples::RgbImage img;
    Canvas(std::size_t w, std::size_t h) {
        img.width = w;
        img.height = h;
        img.pixels.assign(w * h * 3, 255);
    }
    void set(std::size_t x, std::size_t y, Rgb c) {
        unsigned char* p = img.pixels.data() + (y * img.width + x) * 3;
        p[0] = c.r;
        p[1] = c.g;
        p[2] = c.b;
    }
    // One cell of the grid at cell (row, col) of a panel whose top-left pixel is (x0, y0).
    void cell(std::size_t x0, std::size_t y0, std::size_t row, std::size_t col, Rgb fill) {
        for (std::size_t y = 0; y < kCell; ++y)
            for (std::size_t x = 0; x < kCell; ++x) {
                const bool line = x == 0 || y == 0 || x == kCell - 1 || y == kCell - 1;
                set(x0 + col * kCell + x, y0 + row * kCell + y, line ? kGridLine : fill);
            }
    }
    // A frame 2 pixels wide just inside the cells [row0, row0 + rows) x [col0, col0 + cols).
    void frame(std::size_t x0, std::size_t y0, std::size_t row0, std::size_t col0, std::size_t rows,
               std::size_t cols, Rgb c) {
        const std::size_t left = x0 + col0 * kCell, top = y0 + row0 * kCell;
        const std::size_t w = cols * kCell, h = rows * kCell;
        for (std::size_t y = 0; y < h; ++y)
            for (std::size_t x = 0; x < w; ++x)
                if (x < 2 || y < 2 || x >= w - 2 || y >= h - 2) set(left + x, top + y, c);
    }
};

// A pixel value 1..36 as grey: light for small, dark for large.
Rgb grey(float v) {
    const auto b = static_cast<unsigned char>(245.0f - 190.0f * v / static_cast<float>(kSide * kSide));
    return {b, b, b};
}

// A count of windows, out of at most `most`, as blue: light for few, dark for many.
Rgb blue(float count, float most) {
    const float t = count / most;
    const auto rg = static_cast<unsigned char>(245.0f - 200.0f * t);
    return {rg, rg, static_cast<unsigned char>(255.0f - 80.0f * t)};
}

// The windows outlined: the first, one in the middle, the last.
std::vector<std::size_t> highlighted(const kernels::Window2d& win) {
    std::vector<std::size_t> ids = {0, (win.out_h() / 2) * win.out_w() + win.out_w() / 2, win.col_cols() - 1};
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

struct Row {
    kernels::Window2d win;
    std::vector<float> cols, real;  // the column matrix, and 1 where an entry is a pixel (0: padding)
    std::vector<float> count;       // how many windows read each pixel (6 x 6)
    std::size_t padded() const { return kSide + 2 * win.padding.h; }
    std::size_t width() const { return (padded() + win.col_cols() + kSide) * kCell + 2 * kGap; }
    std::size_t height() const { return std::max(padded(), win.col_rows()) * kCell; }
};

// One row of the picture, top-aligned at y0: the padded image, its column matrix,
// and the windows per pixel.
void draw_row(Canvas& canvas, const Row& row, const std::vector<float>& image, std::size_t y0) {
    const kernels::Window2d& win = row.win;
    const std::size_t p = win.padding.h, n = row.padded(), x_img = kMargin, x_cols = kMargin + n * kCell + kGap;
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c) {
            const bool inside = r >= p && c >= p && r < p + kSide && c < p + kSide;
            canvas.cell(x_img, y0, r, c, inside ? grey(image[(r - p) * kSide + (c - p)]) : kPadding);
        }
    for (std::size_t r = 0; r < win.col_rows(); ++r)
        for (std::size_t k = 0; k < win.col_cols(); ++k) {
            const std::size_t at = r * win.col_cols() + k;
            canvas.cell(x_cols, y0, r, k, row.real[at] != 0.0f ? grey(row.cols[at]) : kPadding);
        }
    const std::vector<std::size_t> ids = highlighted(win);
    for (std::size_t h = 0; h < ids.size(); ++h) {
        const std::size_t oh = ids[h] / win.out_w(), ow = ids[h] % win.out_w();
        canvas.frame(x_img, y0, oh * win.stride.h, ow * win.stride.w, win.kernel.h, win.kernel.w, kHighlight[h]);
        canvas.frame(x_cols, y0, 0, ids[h], win.col_rows(), 1, kHighlight[h]);
    }
    const std::size_t x_count = x_cols + win.col_cols() * kCell + kGap;
    const float most = *std::max_element(row.count.begin(), row.count.end());  // darkest
    for (std::size_t r = 0; r < kSide; ++r)
        for (std::size_t c = 0; c < kSide; ++c) canvas.cell(x_count, y0, r, c, blue(row.count[r * kSide + c], most));
}

int main(int argc, char** argv) {
    Options opt;
    if (const auto stop = read_arguments(argc, argv, opt)) return *stop;

    std::vector<float> image(kSide * kSide);  // x (1, 6, 6): pixel (r, c) is 6r + c + 1
    for (std::size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>(i + 1);
    const std::vector<float> ones(image.size(), 1.0f);
    std::vector<Row> rows;
    for (std::size_t stride : {1, 2}) {
        Row row{window(opt, stride), {}, {}, {}};
        row.cols = columns(image, row.win);
        row.real = columns(ones, row.win);
        row.count = coverage(row.win);
        rows.push_back(std::move(row));
    }

    // The picture first: a path that cannot be written stops the program before any output.
    const std::size_t width = 2 * kMargin + std::max(rows[0].width(), rows[1].width());
    const std::size_t height = 2 * kMargin + rows[0].height() + kGap + rows[1].height();
    Canvas canvas(width, height);
    draw_row(canvas, rows[0], image, kMargin);
    draw_row(canvas, rows[1], image, kMargin + rows[0].height() + kGap);
    try {
        examples::write_rgb_png(opt.out, canvas.img);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "im2col_picture: %s\n", e.what());
        return 1;
    }

    std::printf("x: one 6 x 6 image (1 channel), its pixels numbered 1 to 36\n");
    print_grid(image, kSide, kSide);
    std::printf("\na %zu x %zu window with padding %zu (the padded image is %zu x %zu)\n", opt.kernel, opt.kernel,
                opt.padding, kSide + 2 * opt.padding, kSide + 2 * opt.padding);
    for (std::size_t stride : {1, 2}) print_output_size(opt, stride);
    std::printf("\nthe stride-2 column matrix: row (i, j) holds tap (i, j) of every window, column (oh, ow)"
                " one window; 0 is padding\n");
    print_columns(rows[1].cols, rows[1].win);
    for (const Row& row : rows) {
        std::printf("\nhow many windows read each pixel at stride %zu (col2im of a column matrix of ones):\n",
                    row.win.stride.h);
        print_grid(row.count, kSide, kSide);
    }
    print_dcgan_cost();

    std::printf("\nwrote %s (%zu x %zu pixels): top stride 1, bottom stride 2\n", opt.out.c_str(), width, height);
    for (const Row& row : rows) {
        std::printf("  stride %zu, windows outlined:", row.win.stride.h);
        const char* names[] = {"red", "green", "blue"};
        const std::vector<std::size_t> ids = highlighted(row.win);
        for (std::size_t h = 0; h < ids.size(); ++h)
            std::printf(" %s (%zu,%zu)", names[h], ids[h] / row.win.out_w(), ids[h] % row.win.out_w());
        std::printf("\n");
    }
    return 0;
}
