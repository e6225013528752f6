// mixture2d.hpp — the two-dimensional test beds of the mode-collapse literature
// and the numbers that measure a generator on them (docs/lab2d.md).
//
//   ring   8 Gaussians on a circle of radius 2, σ = 0.02 (Metz et al. 2017, Srivastava et al. 2017)
//   grid   25 Gaussians on a 5 × 5 grid with spacing 2 centred on the origin, σ = 0.05
//   one    a single Gaussian at (1, 1), σ = 0.05: the smallest task a GAN must solve
//
// Every mode has the same weight. The metrics follow the same papers: each sample
// belongs to its nearest mode; it is high quality when it lies within 3σ of that
// mode; a mode is covered when at least `min_count` high-quality samples belong to it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "autodiff/random.hpp"
#include "autodiff/shape.hpp"

namespace xgrad::examples {

struct Point {
    float x, y;
};

struct Mixture {
    std::string name;          // "ring", "grid" or "one"
    std::vector<Point> means;  // one per mode; mode k is means[k]
    float sigma;               // the standard deviation of every mode, in both coordinates
    std::size_t modes() const { return means.size(); }
};

Mixture ring_mixture();  // mode k at angle 2πk/8
Mixture grid_mixture();  // mode 5r + c at (2c - 4, 2r - 4), r, c = 0..4
Mixture one_mixture();
// "ring" | "grid" | "one"; std::invalid_argument "unknown --data 'x' (use ring, grid or one)".
Mixture make_mixture(const std::string& name);

struct MixtureSamples {
    Array points;   // (n, 2)
    Indices modes;  // the mode each point was drawn from
};
// n points: a mode drawn uniformly, then a Gaussian around its mean, all from rng.
MixtureSamples sample_mixture(const Mixture& mixture, std::size_t n, Generator& rng);

// The index of the mode nearest to p (the first one on a tie).
std::size_t nearest_mode(const Mixture& mixture, Point p);

struct ModeReport {
    std::vector<std::size_t> counts;  // high-quality samples per mode
    std::size_t samples = 0;          // all samples measured
    std::size_t high_quality = 0;     // samples within 3σ of their nearest mode
    std::size_t covered = 0;          // modes with counts >= min_count
    double high_quality_share = 0;    // high_quality / samples
    double kl = 0;                    // KL(counts / high_quality ‖ uniform) in nats; NaN when high_quality = 0
};

// Measures samples (n, 2). std::invalid_argument when samples is not (n, 2) with
// n >= 1, or min_count is 0.
ModeReport measure_modes(const Mixture& mixture, const Array& samples, std::size_t min_count);

}  // namespace xgrad::examples
