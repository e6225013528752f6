// image.hpp — PNG output for the examples (stb_image_write): a grid of
// samples, several PNGs pasted side by side with a caption gap, and a colour
// picture drawn pixel by pixel.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "autodiff/shape.hpp"

namespace xgrad::examples {

// images (N, h·w), pixels in [0, 1] (clamped), drawn row-major into a
// grid_rows × grid_cols grid with `pad` black pixels between cells; cells past N
// stay black. Written atomically (temporary file + rename); std::runtime_error
// naming the path if it cannot be written.
void write_image_grid(const std::string& path, const Array& images, std::size_t h, std::size_t w,
                      std::size_t grid_rows, std::size_t grid_cols, std::size_t pad = 2);

// Paste PNG files left to right (tops aligned, `gap` white pixels between) into
// one grayscale PNG. std::runtime_error naming the file that cannot be read.
void paste_side_by_side(const std::string& out_path, const std::vector<std::string>& inputs, std::size_t gap = 16);

// A colour picture, 3 bytes (red, green, blue) per pixel, row-major.
struct RgbImage {
    std::size_t width = 0, height = 0;
    std::vector<unsigned char> pixels;  // width · height · 3
};
// Written atomically, like the grids; std::invalid_argument if pixels does not hold
// width · height · 3 bytes, std::runtime_error naming the path if it cannot be written.
void write_rgb_png(const std::string& path, const RgbImage& image);

}  // namespace xgrad::examples
