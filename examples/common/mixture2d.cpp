// mixture2d.cpp — the test beds and their metrics (mixture2d.hpp).
#include "mixture2d.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "metrics.hpp"

namespace xgrad::examples {

Mixture ring_mixture() {
    Mixture m{"ring", {}, 0.02f};
    for (int k = 0; k < 8; ++k) {
        const double angle = 2.0 * std::numbers::pi * k / 8;
        m.means.push_back({static_cast<float>(2.0 * std::cos(angle)), static_cast<float>(2.0 * std::sin(angle))});
    }
    return m;
}

Mixture grid_mixture() {
    Mixture m{"grid", {}, 0.05f};
    for (int r = 0; r < 5; ++r)
        for (int c = 0; c < 5; ++c) m.means.push_back({2.0f * c - 4.0f, 2.0f * r - 4.0f});
    return m;
}

Mixture one_mixture() { return {"one", {{1.0f, 1.0f}}, 0.05f}; }

Mixture make_mixture(const std::string& name) {
    if (name == "ring") return ring_mixture();
    if (name == "grid") return grid_mixture();
    if (name == "one") return one_mixture();
    throw std::invalid_argument("unknown --data '" + name + "' (use ring, grid or one)");
}

MixtureSamples sample_mixture(const Mixture& mixture, std::size_t n, Generator& rng) {
    MixtureSamples s{Array::from_shape({n, std::size_t{2}}), Indices(n)};
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = rng.randint(mixture.modes());
        s.modes[i] = k;
        s.points(i, 0) = rng.normal(mixture.means[k].x, mixture.sigma);
        s.points(i, 1) = rng.normal(mixture.means[k].y, mixture.sigma);
    }
    return s;
}

namespace {

double distance(Point a, Point b) { return std::hypot(double(a.x) - b.x, double(a.y) - b.y); }

}  // namespace

std::size_t nearest_mode(const Mixture& mixture, Point p) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < mixture.modes(); ++k)
        if (distance(p, mixture.means[k]) < distance(p, mixture.means[best])) best = k;
    return best;
}

ModeReport measure_modes(const Mixture& mixture, const Array& samples, std::size_t min_count) {
    if (samples.dimension() != 2 || samples.shape()[1] != 2 || samples.shape()[0] == 0)
        throw std::invalid_argument("measure_modes: samples must be (n, 2) with n >= 1, got " +
                                    shape_str(samples.shape()));
    if (min_count == 0) throw std::invalid_argument("measure_modes: min_count must be at least 1");
    ModeReport r;
    r.counts.assign(mixture.modes(), 0);
    r.samples = samples.shape()[0];
    for (std::size_t i = 0; i < r.samples; ++i) {
        const Point p{samples(i, 0), samples(i, 1)};
        const std::size_t k = nearest_mode(mixture, p);
        if (distance(p, mixture.means[k]) < 3.0 * mixture.sigma) ++r.counts[k];  // high quality
    }
    for (const std::size_t c : r.counts) {
        r.high_quality += c;
        if (c >= min_count) ++r.covered;
    }
    r.high_quality_share = double(r.high_quality) / double(r.samples);
    r.kl = r.high_quality > 0 ? kl_from_uniform(r.counts) : std::numeric_limits<double>::quiet_NaN();
    return r;
}

}  // namespace xgrad::examples
