// run.hpp — small pieces of a GAN training run that both example programs use:
// shuffling, random labels, pixel scaling, the non-finite-loss stop, and the
// names of the sample grids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/random.hpp"
#include "autodiff/shape.hpp"
#include "models.hpp"

namespace xgrad::examples {

// 0..n-1 in a random order (Fisher–Yates with rng).
Indices shuffled_indices(std::size_t n, Generator& rng);
// n labels drawn uniformly from 0..classes-1.
Indices random_labels(std::size_t n, std::size_t classes, Generator& rng);
// For each label, a different label drawn uniformly from the other classes-1.
Indices wrong_labels(const Indices& labels, std::size_t classes, Generator& rng);
// The elements of `all` at positions begin..end-1 of `order`.
Indices take(const Indices& all, const Indices& order, std::size_t begin, std::size_t end);

// Pixels in [0, 1] -> the generator's range, and back.
Array to_pixel_range(const Array& unit, PixelRange range);
Array to_unit_range(const Array& pixels, PixelRange range);

// Thrown when a loss is NaN or infinite, or a tensor about to be saved is
// (check_finite_state, train_state.hpp): the run stops and keeps its last good checkpoint.
struct NonFiniteLoss : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Throws NonFiniteLoss "step 1234 (epoch 3): d_loss is nan" when value is not finite.
void check_finite(const std::string& name, float value, std::int64_t step, std::int64_t epoch);

// The files the sample grid of `epoch` goes to: out/samples_epoch_NNN.png and
// out/samples.png (the latest). only_missing: just those not there, to finish a
// complete run whose last write was lost (samples.png too when samples_epoch_NNN.png
// is missing: the grids are written in that order, so it shows an older epoch).
std::vector<std::filesystem::path> sample_grid_paths(const std::filesystem::path& out, std::int64_t epoch,
                                                     bool only_missing = false);

}  // namespace xgrad::examples
