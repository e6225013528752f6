// image.cpp — PNGs through stb: a grid of samples (stb_image_write, encoded in
// memory and written atomically), several PNGs pasted side by side (read back with
// stb_image), and a colour picture. Pixels are bytes: value in [0, 1] → round(255·value).
#include "image.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "nn/atomic_file.hpp"

namespace xgrad::examples {

namespace {

// A grayscale picture, one byte per pixel, row-major.
struct Gray {
    std::size_t width = 0, height = 0;
    std::vector<std::uint8_t> pixels;
};

// Encode as PNG in memory (stb calls us back with the bytes), then write it atomically.
// `channels` bytes per pixel: 1 gray, 3 red-green-blue.
void write_png(const std::string& path, std::size_t width, std::size_t height, int channels,
               const std::uint8_t* pixels, const char* who) {
    if (width > INT_MAX / 4 / 3 || height > INT_MAX / 4)
        throw std::invalid_argument(std::string(who) + ": image too large for PNG output (" + std::to_string(width) +
                                    " x " + std::to_string(height) + ")");
    std::string bytes;
    auto append = [](void* context, void* data, int size) {
        static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
    };
    const int w = static_cast<int>(width), h = static_cast<int>(height);
    if (!stbi_write_png_to_func(append, &bytes, w, h, channels, pixels, w * channels))
        throw std::runtime_error(path + ": cannot encode PNG (stb_image_write failed)");
    nn::write_file_atomically(path, bytes);
}

void write_png(const std::string& path, const Gray& img, const char* who) {
    write_png(path, img.width, img.height, 1, img.pixels.data(), who);
}

// A pixel value in [0, 1] as a byte; below 0 (and NaN) is black, above 1 white.
std::uint8_t to_byte(float x) {
    if (!(x > 0.0f)) return 0;
    if (x >= 1.0f) return 255;
    return static_cast<std::uint8_t>(std::lround(x * 255.0f));
}

}  // namespace

// images (N, h·w) → one picture of grid_rows × grid_cols cells of h × w, pad between:
//   width  = grid_cols·w + (grid_cols - 1)·pad     height = grid_rows·h + (grid_rows - 1)·pad
//   image i goes to cell (i / grid_cols, i % grid_cols).
void write_image_grid(const std::string& path, const Array& images, std::size_t h, std::size_t w,
                      std::size_t grid_rows, std::size_t grid_cols, std::size_t pad) {
    if (images.dimension() != 2 || images.shape(1) != h * w)
        throw ShapeError("write_image_grid: images " + shape_str(images.shape()) + " are not (N, " +
                         std::to_string(h * w) + ") for " + std::to_string(h) + " x " + std::to_string(w) +
                         " pixels");
    if (h == 0 || w == 0 || grid_rows == 0 || grid_cols == 0)
        throw std::invalid_argument("write_image_grid: cell size and grid size must be positive, got " +
                                    std::to_string(h) + " x " + std::to_string(w) + " cells in a " +
                                    std::to_string(grid_rows) + " x " + std::to_string(grid_cols) + " grid");
    const std::size_t n = images.shape(0);
    if (n > grid_rows * grid_cols)
        throw std::invalid_argument("write_image_grid: " + std::to_string(n) + " images do not fit a " +
                                    std::to_string(grid_rows) + " x " + std::to_string(grid_cols) + " grid");

    Gray out;
    out.width = grid_cols * w + (grid_cols - 1) * pad;
    out.height = grid_rows * h + (grid_rows - 1) * pad;
    out.pixels.assign(out.width * out.height, 0);  // black: padding and empty cells
    const float* src = images.data();
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t top = (i / grid_cols) * (h + pad), left = (i % grid_cols) * (w + pad);
        for (std::size_t r = 0; r < h; ++r) {
            std::uint8_t* dst = out.pixels.data() + (top + r) * out.width + left;
            const float* row = src + i * h * w + r * w;
            for (std::size_t c = 0; c < w; ++c) dst[c] = to_byte(row[c]);
        }
    }
    write_png(path, out, "write_image_grid");
}

// Inputs left to right, tops aligned, `gap` white columns between; white below shorter ones.
void paste_side_by_side(const std::string& out_path, const std::vector<std::string>& inputs, std::size_t gap) {
    if (inputs.empty()) throw std::invalid_argument("paste_side_by_side: no input images");

    // stb_image converts whatever it reads (gray, RGB, RGBA, palette) to one gray channel.
    std::vector<Gray> pictures;
    for (const std::string& name : inputs) {
        int w = 0, h = 0, channels = 0;
        std::unique_ptr<stbi_uc, void (*)(void*)> data(stbi_load(name.c_str(), &w, &h, &channels, 1), stbi_image_free);
        if (!data) throw std::runtime_error(name + ": cannot read as an image (" + stbi_failure_reason() + ")");
        Gray g;
        g.width = static_cast<std::size_t>(w);
        g.height = static_cast<std::size_t>(h);
        g.pixels.assign(data.get(), data.get() + g.width * g.height);
        pictures.push_back(std::move(g));
    }

    Gray out;
    for (const Gray& g : pictures) {
        out.width += g.width;
        out.height = std::max(out.height, g.height);
    }
    out.width += gap * (pictures.size() - 1);
    out.pixels.assign(out.width * out.height, 255);  // white: the gaps and below shorter pictures
    std::size_t left = 0;
    for (const Gray& g : pictures) {
        for (std::size_t r = 0; r < g.height; ++r)
            std::copy_n(g.pixels.data() + r * g.width, g.width, out.pixels.data() + r * out.width + left);
        left += g.width + gap;
    }
    write_png(out_path, out, "paste_side_by_side");
}

void write_rgb_png(const std::string& path, const RgbImage& image) {
    if (image.pixels.size() != image.width * image.height * 3)
        throw std::invalid_argument("write_rgb_png: " + std::to_string(image.pixels.size()) + " bytes for " +
                                    std::to_string(image.width) + " x " + std::to_string(image.height) +
                                    " pixels, expected " + std::to_string(image.width * image.height * 3));
    write_png(path, image.width, image.height, 3, image.pixels.data(), "write_rgb_png");
}

}  // namespace xgrad::examples
