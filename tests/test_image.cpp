// test_image.cpp — examples/common/image.cpp: sample grids written as PNG and
// read back with stb_image (pixel values at known places, padding, empty cells,
// clamping), pictures pasted side by side, and the errors for bad input and paths.
#include "check.hpp"
#include "files.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <limits>

#include "examples/common/image.hpp"

using namespace xgrad;
using namespace xgrad::examples;
using namespace xgrad::testing;

namespace {

// A PNG read back as it is stored: size, channels, bytes.
struct Png {
    int width = 0, height = 0, channels = 0;
    std::vector<unsigned char> pixels;
    int at(int x, int y) const { return pixels[static_cast<std::size_t>(y * width + x)]; }
};

Png read_png(const std::string& path) {
    Png png;
    unsigned char* data = stbi_load(path.c_str(), &png.width, &png.height, &png.channels, 0);
    REQUIRE(data != nullptr);
    png.pixels.assign(data, data + png.width * png.height * png.channels);
    stbi_image_free(data);
    return png;
}

// One image of one pixel: shape (1, 1).
Array pixel(float v) { return testing::reshaped(Array{v}, {1, 1}); }

}  // namespace

TEST_CASE("write_image_grid") {
    TempDir dir;
    const std::string p = dir / "grid.png";

    SUBCASE("cells, padding and empty cells") {
        // Three 2 x 3 images in a 2 x 2 grid with 1 pixel of padding:
        //   width = 2·3 + 1 = 7, height = 2·2 + 1 = 5; cell (r, c) starts at x = 4c, y = 3r.
        // Pixel (r, c) of image i is (10i + 3r + c) / 255, so it reads back as the byte 10i + 3r + c.
        Array images = Array::from_shape({3, 6});
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t k = 0; k < 6; ++k) images(i, k) = static_cast<float>(10 * i + k) / 255.0f;
        write_image_grid(p, images, 2, 3, 2, 2, 1);
        const Png png = read_png(p);
        CHECK(png.width == 7);
        CHECK(png.height == 5);
        CHECK(png.channels == 1);  // grayscale
        CHECK(png.at(0, 0) == 0);   // image 0, pixel (0, 0)
        CHECK(png.at(2, 1) == 5);   // image 0, pixel (1, 2)
        CHECK(png.at(4, 0) == 10);  // image 1, pixel (0, 0)
        CHECK(png.at(6, 1) == 15);  // image 1, pixel (1, 2)
        CHECK(png.at(0, 3) == 20);  // image 2, pixel (0, 0)
        CHECK(png.at(1, 4) == 24);  // image 2, pixel (1, 1)
        for (int y = 0; y < 5; ++y) CHECK(png.at(3, y) == 0);  // the padding column
        for (int x = 0; x < 7; ++x) CHECK(png.at(x, 2) == 0);  // the padding row
        for (int y = 3; y < 5; ++y)
            for (int x = 4; x < 7; ++x) CHECK(png.at(x, y) == 0);  // cell (1, 1): no image 3
        CHECK(files_in(dir.path) == 1);  // no temporary file left
    }
    SUBCASE("default padding of 2 and pixels rounded") {
        // 0.5 · 255 = 127.5 rounds to 128; 0.2 · 255 = 51.
        const Array images = testing::reshaped(Array{0.5f, 0.2f, 1.0f, 0.0f}, {4, 1});
        write_image_grid(p, images, 1, 1, 2, 2);
        const Png png = read_png(p);
        CHECK(png.width == 4);  // 1 + 2 + 1
        CHECK(png.height == 4);
        CHECK(png.at(0, 0) == 128);
        CHECK(png.at(3, 0) == 51);
        CHECK(png.at(0, 3) == 255);
        CHECK(png.at(3, 3) == 0);
        CHECK(png.at(1, 0) == 0);
    }
    SUBCASE("values outside [0, 1] are clamped; NaN is black") {
        Array images{{-0.5f, 1.7f, std::numeric_limits<float>::quiet_NaN(), 1e9f}};
        write_image_grid(p, images, 1, 4, 1, 1);
        const Png png = read_png(p);
        CHECK(png.width == 4);
        CHECK(png.height == 1);
        CHECK(png.at(0, 0) == 0);
        CHECK(png.at(1, 0) == 255);
        CHECK(png.at(2, 0) == 0);
        CHECK(png.at(3, 0) == 255);
    }
    SUBCASE("an existing file is replaced") {
        write_image_grid(p, pixel(0.0f), 1, 1, 1, 1);
        write_image_grid(p, pixel(1.0f), 1, 1, 1, 1);
        CHECK(read_png(p).at(0, 0) == 255);
        CHECK(files_in(dir.path) == 1);
    }
    SUBCASE("bad shapes") {
        CHECK_FAILS_WITH_AS(write_image_grid(p, Array::from_shape({3, 5}), 2, 3, 2, 2),
                            "write_image_grid: images (3, 5) are not (N, 6) for 2 x 3 pixels", ShapeError);
        CHECK_FAILS_WITH_AS(write_image_grid(p, Array::from_shape({6}), 2, 3, 2, 2),
                            "write_image_grid: images (6,) are not (N, 6) for 2 x 3 pixels", ShapeError);
        CHECK_FAILS_WITH_AS(write_image_grid(p, Array::from_shape({5, 6}), 2, 3, 2, 2),
                            "write_image_grid: 5 images do not fit a 2 x 2 grid", std::invalid_argument);
        CHECK_FAILS_WITH_AS(write_image_grid(p, Array::from_shape({0, 6}), 2, 3, 0, 2),
                            "write_image_grid: cell size and grid size must be positive, got 2 x 3 cells in a 0 x 2 grid",
                            std::invalid_argument);
        CHECK_FALSE(fs::exists(p));
    }
    SUBCASE("a path that cannot be written") {
        write_file(dir / "file", "x");
        const std::string bad = dir / "file" + "/grid.png";
        CHECK_FAILS_WITH(write_image_grid(bad, pixel(0.5f), 1, 1, 1, 1), bad + ": cannot write (Not a directory)");
        const std::string missing = dir / "no/such/dir/grid.png";
        CHECK_FAILS_WITH(write_image_grid(missing, pixel(0.5f), 1, 1, 1, 1),
                         missing + ": cannot write (No such file or directory)");
    }
}

TEST_CASE("paste_side_by_side") {
    TempDir dir;
    // A 7 x 5 grid of black and a 3 x 2 picture with the values 1..6.
    Array a = Array::from_shape({1, 35});
    a.fill(0.0f);
    write_image_grid(dir / "a.png", a, 5, 7, 1, 1);
    Array b = Array::from_shape({1, 6});
    for (std::size_t k = 0; k < 6; ++k) b(0, k) = static_cast<float>(k + 1) / 255.0f;
    write_image_grid(dir / "b.png", b, 2, 3, 1, 1);

    SUBCASE("widths add up with the gaps; tops aligned; white gap and white below") {
        paste_side_by_side(dir / "ab.png", {dir / "a.png", dir / "b.png"}, 4);
        const Png png = read_png(dir / "ab.png");
        CHECK(png.width == 14);  // 7 + 4 + 3
        CHECK(png.height == 5);  // the taller one
        CHECK(png.channels == 1);
        for (int y = 0; y < 5; ++y) {
            CHECK(png.at(0, y) == 0);  // a
            CHECK(png.at(6, y) == 0);
            for (int x = 7; x < 11; ++x) CHECK(png.at(x, y) == 255);  // the gap
        }
        CHECK(png.at(11, 0) == 1);  // b, from the top
        CHECK(png.at(13, 0) == 3);
        CHECK(png.at(11, 1) == 4);
        CHECK(png.at(13, 1) == 6);
        for (int y = 2; y < 5; ++y)
            for (int x = 11; x < 14; ++x) CHECK(png.at(x, y) == 255);  // below b
    }
    SUBCASE("default gap of 16, three pictures, one alone") {
        paste_side_by_side(dir / "aba.png", {dir / "a.png", dir / "b.png", dir / "a.png"});
        CHECK(read_png(dir / "aba.png").width == 7 + 16 + 3 + 16 + 7);
        paste_side_by_side(dir / "b2.png", {dir / "b.png"});
        const Png png = read_png(dir / "b2.png");
        CHECK(png.width == 3);
        CHECK(png.height == 2);
        CHECK(png.at(2, 1) == 6);
    }
    SUBCASE("colour input is turned to gray") {
        // One red and one white pixel, RGB. stb_image's gray is (77 r + 150 g + 29 b) >> 8:
        // red (255, 0, 0) → 19635 >> 8 = 76; white → 65280 >> 8 = 255.
        const unsigned char rgb[] = {255, 0, 0, 255, 255, 255};
        REQUIRE(stbi_write_png((dir / "rgb.png").c_str(), 2, 1, 3, rgb, 6) == 1);
        paste_side_by_side(dir / "gray.png", {dir / "rgb.png"});
        const Png png = read_png(dir / "gray.png");
        CHECK(png.channels == 1);
        CHECK(png.at(0, 0) == 76);
        CHECK(png.at(1, 0) == 255);
    }
    SUBCASE("errors") {
        CHECK_FAILS_WITH(paste_side_by_side(dir / "out.png", {dir / "a.png", dir / "missing.png"}),
                         dir / "missing.png" + ": cannot read as an image (can't fopen)");
        write_file(dir / "text.png", "not a png");
        CHECK_FAILS_WITH(paste_side_by_side(dir / "out.png", {dir / "text.png"}),
                         dir / "text.png" + ": cannot read as an image (unknown image type)");
        CHECK_FAILS_WITH_AS(paste_side_by_side(dir / "out.png", {}), "paste_side_by_side: no input images",
                            std::invalid_argument);
        CHECK_FALSE(fs::exists(dir / "out.png"));
        const std::string bad = dir / "a.png" + "/out.png";
        CHECK_FAILS_WITH(paste_side_by_side(bad, {dir / "b.png"}), bad + ": cannot write (Not a directory)");
    }
}

TEST_CASE("write_rgb_png") {
    TempDir dir;
    const std::string p = dir / "rgb.png";

    SUBCASE("three bytes per pixel, row-major") {
        // A 3 x 2 picture: pixel (x, y) is (10x + y, 100 + x, 200 + y).
        RgbImage img;
        img.width = 3;
        img.height = 2;
        for (unsigned y = 0; y < 2; ++y)
            for (unsigned x = 0; x < 3; ++x)
                img.pixels.insert(img.pixels.end(), {static_cast<unsigned char>(10 * x + y),
                                                     static_cast<unsigned char>(100 + x),
                                                     static_cast<unsigned char>(200 + y)});
        write_rgb_png(p, img);
        const Png png = read_png(p);
        CHECK(png.width == 3);
        CHECK(png.height == 2);
        CHECK(png.channels == 3);
        CHECK(png.pixels == img.pixels);
    }
    SUBCASE("errors: a wrong number of bytes, a path it cannot write") {
        RgbImage img;
        img.width = 2;
        img.height = 2;
        img.pixels.assign(11, 0);
        CHECK_FAILS_WITH_AS(write_rgb_png(p, img), "write_rgb_png: 11 bytes for 2 x 2 pixels, expected 12",
                            std::invalid_argument);
        CHECK_FALSE(fs::exists(p));
        img.pixels.assign(12, 0);
        const std::string missing = dir / "no/rgb.png";
        CHECK_FAILS_WITH(write_rgb_png(missing, img), missing + ": cannot write (No such file or directory)");
    }
}
