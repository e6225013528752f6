// test_mixture2d.cpp — examples/common/mixture2d.hpp: the test beds' modes, sampling
// from them, and the metrics on hand-made sample sets whose answers are worked out
// by hand (each in a comment).
#include <cmath>
#include <limits>

#include "check.hpp"
#include "examples/common/mixture2d.hpp"

using namespace xgrad;
using namespace xgrad::examples;
using doctest::Approx;

namespace {

// An (n, 2) array from the points {x0, y0, x1, y1, ...}.
Array points(const std::vector<float>& xy) {
    Array a = Array::from_shape({xy.size() / 2, std::size_t{2}});
    std::copy(xy.begin(), xy.end(), a.data());
    return a;
}

}  // namespace

TEST_CASE("the ring: 8 modes of radius 2, sigma 0.02") {
    const Mixture m = ring_mixture();
    REQUIRE(m.modes() == 8);
    CHECK(m.sigma == 0.02f);
    CHECK(m.means[0].x == Approx(2.0));
    CHECK(m.means[0].y == Approx(0.0));
    CHECK(m.means[1].x == Approx(std::sqrt(2.0)));  // 45 degrees
    CHECK(m.means[1].y == Approx(std::sqrt(2.0)));
    CHECK(m.means[6].x == Approx(0.0).epsilon(1e-6));  // 270 degrees
    CHECK(m.means[6].y == Approx(-2.0));
}

TEST_CASE("the grid: 25 modes, spacing 2, centred, sigma 0.05") {
    const Mixture m = grid_mixture();
    REQUIRE(m.modes() == 25);
    CHECK(m.sigma == 0.05f);
    CHECK(m.means[0].x == -4.0f);  // mode 5r + c at (2c - 4, 2r - 4)
    CHECK(m.means[0].y == -4.0f);
    CHECK(m.means[12].x == 0.0f);
    CHECK(m.means[12].y == 0.0f);
    CHECK(m.means[7].x == 0.0f);  // r = 1, c = 2
    CHECK(m.means[7].y == -2.0f);
    CHECK(m.means[24].x == 4.0f);
    CHECK(m.means[24].y == 4.0f);
}

TEST_CASE("make_mixture names the three test beds and rejects others") {
    CHECK(make_mixture("ring").modes() == 8);
    CHECK(make_mixture("grid").modes() == 25);
    CHECK(make_mixture("one").modes() == 1);
    CHECK_FAILS_WITH_AS(make_mixture("spiral"), "unknown --data 'spiral' (use ring, grid or one)",
                        std::invalid_argument);
}

TEST_CASE("ring metrics on six hand-placed samples") {
    const Mixture m = ring_mixture();  // 3 sigma = 0.06
    const Array s = points({
        2.0f, 0.0f,    // on mode 0: high quality
        2.05f, 0.0f,   // 0.05 from mode 0: high quality
        0.0f, 2.03f,   // 0.03 from mode 2: high quality
        1.0f, 0.0f,    // nearest is mode 0, but 1.0 away: not high quality
        0.0f, -2.0f,   // on mode 6: high quality
        0.0f, 0.0f,    // about 2.0 from every mode: not high quality
    });
    const ModeReport r = measure_modes(m, s, 1);
    CHECK(r.counts == std::vector<std::size_t>{2, 0, 1, 0, 0, 0, 1, 0});
    CHECK(r.samples == 6);
    CHECK(r.high_quality == 4);
    CHECK(r.high_quality_share == Approx(4.0 / 6.0));
    CHECK(r.covered == 3);
    // p = (1/2, 1/4, 1/4) on 3 of 8 modes: KL = 1/2 ln 4 + 1/4 ln 2 + 1/4 ln 2 = 1.5 ln 2.
    CHECK(r.kl == Approx(1.5 * std::log(2.0)));
    // With at least 2 samples needed, only mode 0 counts as covered.
    CHECK(measure_modes(m, s, 2).covered == 1);
}

TEST_CASE("the grid's 25 means are all covered, evenly") {
    const Mixture m = grid_mixture();
    std::vector<float> xy;
    for (const Point p : m.means) xy.insert(xy.end(), {p.x, p.y});
    xy.insert(xy.end(), {1.0f, 1.0f});  // halfway between four modes: not high quality
    const ModeReport r = measure_modes(m, points(xy), 1);
    CHECK(r.covered == 25);
    CHECK(r.high_quality == 25);
    CHECK(r.high_quality_share == Approx(25.0 / 26.0));
    CHECK(r.kl == Approx(0.0));  // every mode holds 1/25: ln(25 / 25) = 0
}

TEST_CASE("every sample on one mode: full collapse") {
    const Mixture m = ring_mixture();
    const Array s = points({m.means[3].x, m.means[3].y, m.means[3].x + 0.01f, m.means[3].y});
    const ModeReport r = measure_modes(m, s, 1);
    CHECK(r.covered == 1);
    CHECK(r.high_quality_share == 1.0);
    CHECK(r.kl == Approx(std::log(8.0)));  // all mass on one of 8 modes: ln 8
}

TEST_CASE("no high-quality sample: nothing covered, KL undefined (NaN)") {
    const ModeReport r = measure_modes(grid_mixture(), points({1.0f, 1.0f, -3.0f, 3.0f}), 1);
    CHECK(r.covered == 0);
    CHECK(r.high_quality == 0);
    CHECK(r.high_quality_share == 0.0);
    CHECK(std::isnan(r.kl));
}

TEST_CASE("nearest_mode takes the first mode on a tie") {
    CHECK(nearest_mode(grid_mixture(), {1.0f, 1.0f}) == 12);  // (0,0), (2,0), (0,2), (2,2) tie: 12 is first
    CHECK(nearest_mode(grid_mixture(), {3.9f, -3.8f}) == 4);
}

TEST_CASE("samples of the mixture itself: the 3-sigma share is P(chi2_2 < 9)") {
    const Mixture m = ring_mixture();
    Generator rng(5);
    const MixtureSamples s = sample_mixture(m, 20000, rng);
    REQUIRE(s.points.shape() == Shape{20000, 2});
    for (std::size_t i = 0; i < s.modes.size(); ++i)  // the modes are far apart: the nearest is the source
        REQUIRE(nearest_mode(m, {s.points(i, 0), s.points(i, 1)}) == s.modes[i]);
    const ModeReport r = measure_modes(m, s.points, 1);
    CHECK(r.covered == 8);
    // |x - mean|^2 / sigma^2 is chi-squared with 2 degrees of freedom: P(< 9) = 1 - e^-4.5 = 0.98889.
    CHECK(r.high_quality_share == Approx(1.0 - std::exp(-4.5)).epsilon(0.005));
    CHECK(r.kl < 0.01);  // 20000 uniform draws over 8 modes: nearly even
    Generator again(5);  // the same seed draws the same points
    CHECK(testing::all_close(sample_mixture(m, 20000, again).points, s.points, 0.0f));
}

TEST_CASE("measure_modes rejects what it cannot measure") {
    const Mixture m = ring_mixture();
    CHECK_FAILS_WITH_AS(measure_modes(m, Array::from_shape({3, 3}), 1),
                        "measure_modes: samples must be (n, 2) with n >= 1, got (3, 3)", std::invalid_argument);
    CHECK_FAILS_WITH_AS(measure_modes(m, Array::from_shape({0, 2}), 1),
                        "measure_modes: samples must be (n, 2) with n >= 1, got (0, 2)", std::invalid_argument);
    CHECK_FAILS_WITH_AS(measure_modes(m, points({2.0f, 0.0f}), 0), "measure_modes: min_count must be at least 1",
                        std::invalid_argument);
}
