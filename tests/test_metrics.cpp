// test_metrics.cpp — examples/common/metrics.hpp against answers worked out by hand
// (each in a comment) or in closed form: histogram and its KL, classes covered,
// conditional accuracy, mean/covariance, matrix square root, Fréchet distance,
// classifier score, within-class diversity.
#include <cmath>
#include <numbers>

#include "check.hpp"
#include "examples/common/metrics.hpp"

using namespace xgrad;
using namespace xgrad::examples;
using doctest::Approx;

namespace {

// A (rows, cols) float array from row-major values.
Array rows_of(std::size_t rows, std::size_t cols, const std::vector<float>& values) {
    Array a = Array::from_shape({rows, cols});
    std::copy(values.begin(), values.end(), a.data());
    return a;
}

Matrix diag(const std::vector<double>& d) {
    Matrix m = xt::zeros<double>({d.size(), d.size()});
    for (std::size_t i = 0; i < d.size(); ++i) m(i, i) = d[i];
    return m;
}

Matrix product(const Matrix& a, const Matrix& b) {
    Matrix c = xt::zeros<double>({a.shape()[0], b.shape()[1]});
    for (std::size_t i = 0; i < a.shape()[0]; ++i)
        for (std::size_t j = 0; j < b.shape()[1]; ++j)
            for (std::size_t k = 0; k < a.shape()[1]; ++k) c(i, j) += a(i, k) * b(k, j);
    return c;
}

double max_abs_diff(const Matrix& a, const Matrix& b) { return xt::amax(xt::abs(a - b))(); }

}  // namespace

TEST_CASE("class_histogram counts labels") {
    CHECK(class_histogram({0, 2, 2, 9, 2}) == std::vector<std::size_t>{1, 0, 3, 0, 0, 0, 0, 0, 0, 1});
    CHECK(class_histogram({1, 1}, 3) == std::vector<std::size_t>{0, 2, 0});
    CHECK_FAILS_WITH_AS(class_histogram({3, 12}), "class_histogram: label 12 is not below 10 classes",
                        std::invalid_argument);
}

TEST_CASE("classes_covered and kl_from_uniform") {
    SUBCASE("uniform: every class holds 10%, KL 0") {
        const std::vector<std::size_t> even(10, 100);
        CHECK(classes_covered(even) == 10);
        CHECK(kl_from_uniform(even) == Approx(0.0));
    }
    SUBCASE("one class: KL = 1 · ln(1 · 10) = ln 10") {
        std::vector<std::size_t> one(10, 0);
        one[7] = 1000;
        CHECK(classes_covered(one) == 1);
        CHECK(kl_from_uniform(one) == Approx(std::log(10.0)).epsilon(1e-12));
    }
    SUBCASE("hand-worked: counts (2, 1, 1, 0), C = 4") {
        // p = (1/2, 1/4, 1/4, 0):  KL = 1/2 ln(1/2 · 4) + 1/4 ln(1/4 · 4) + 1/4 ln 1 + 0 = 1/2 ln 2 = 0.346574
        const std::vector<std::size_t> counts{2, 1, 1, 0};
        CHECK(kl_from_uniform(counts) == Approx(0.5 * std::log(2.0)).epsilon(1e-12));
        CHECK(classes_covered(counts) == 3);
    }
    SUBCASE("the 1% line: 1 of 100 counts, 1 of 200 does not") {
        CHECK(classes_covered({99, 1}) == 2);
        CHECK(classes_covered({199, 1}) == 1);
        CHECK(classes_covered({0, 0}) == 0);
    }
    CHECK_FAILS_WITH_AS(kl_from_uniform({0, 0, 0}), "kl_from_uniform: the histogram is empty", std::invalid_argument);
}

TEST_CASE("conditional_accuracy") {
    // judged (1, 2, 3, 3) vs requested (1, 2, 0, 3): positions 0, 1 and 3 agree -> 3/4
    CHECK(conditional_accuracy({1, 2, 3, 3}, {1, 2, 0, 3}) == Approx(0.75));
    CHECK(conditional_accuracy({5}, {5}) == Approx(1.0));
    CHECK(conditional_accuracy({4, 4}, {5, 6}) == Approx(0.0));
    CHECK_FAILS_WITH_AS(conditional_accuracy({1, 2}, {1}),
                        "conditional_accuracy: 2 judged labels and 1 requested ones; need the same number, at least 1",
                        std::invalid_argument);
}

TEST_CASE("fit_gaussian: mean and unbiased covariance") {
    // Rows (0,0) (2,0) (0,2) (2,2): mean (1,1); centred rows (∓1, ∓1), so
    // var = (1+1+1+1)/(4-1) = 4/3 on each axis, cov = (1 - 1 - 1 + 1)/3 = 0.
    const Gaussian g = fit_gaussian(rows_of(4, 2, {0, 0, 2, 0, 0, 2, 2, 2}));
    CHECK(g.mean(0) == Approx(1.0));
    CHECK(g.mean(1) == Approx(1.0));
    CHECK(g.cov(0, 0) == Approx(4.0 / 3));
    CHECK(g.cov(1, 1) == Approx(4.0 / 3));
    CHECK(g.cov(0, 1) == Approx(0.0));
    CHECK(g.cov(1, 0) == Approx(0.0));
    CHECK_FAILS_WITH_AS(fit_gaussian(rows_of(1, 2, {1, 2})), "fit_gaussian: need at least 2 samples, got 1",
                        std::invalid_argument);
}

TEST_CASE("sqrtm_psd: R R = A") {
    SUBCASE("a full-rank matrix B Bᵀ") {
        Generator gen(3);
        Matrix b = Matrix::from_shape({4, 4});
        for (auto& v : b) v = gen.normal();
        const Matrix a = product(b, xt::transpose(b));
        const Matrix r = sqrtm_psd(a);
        CHECK(max_abs_diff(product(r, r), a) < 1e-10);
        CHECK(max_abs_diff(r, xt::transpose(r)) < 1e-12);  // symmetric
    }
    SUBCASE("a diagonal matrix: the square roots of its entries") {
        const Matrix r = sqrtm_psd(diag({4, 9, 0.25}));
        CHECK(max_abs_diff(r, diag({2, 3, 0.5})) < 1e-12);
    }
    SUBCASE("a singular matrix v vᵀ (rank 1): eigenvalues 0 stay 0, no NaN") {
        // v vᵀ has eigenvalues |v|² = 14 and 0, 0; its root is v vᵀ / |v|.
        const Matrix v = {{1.0}, {2.0}, {3.0}};
        const Matrix a = product(v, xt::transpose(v));
        const Matrix r = sqrtm_psd(a);
        CHECK(!xt::any(xt::isnan(r)));
        CHECK(max_abs_diff(r, a / std::sqrt(14.0)) < 1e-7);
        CHECK(max_abs_diff(product(r, r), a) < 1e-7);
    }
}

TEST_CASE("frechet_distance on (μ, Σ) against the closed form") {
    // Diagonal (so commuting) covariances: d² = ‖μ1 − μ2‖² + Σ_i (√a_i − √b_i)²
    //   μ1 = (1, 2, 3), μ2 = (0, 2, 5):  ‖μ1 − μ2‖² = 1 + 0 + 4 = 5
    //   a = (4, 9, 1), b = (1, 4, 16):   (2−1)² + (3−2)² + (1−4)² = 1 + 1 + 9 = 11      d² = 16
    const Gaussian g1{Vector{1, 2, 3}, diag({4, 9, 1})};
    const Gaussian g2{Vector{0, 2, 5}, diag({1, 4, 16})};
    CHECK(frechet_distance(g1, g2) == Approx(16.0).epsilon(1e-10));
    CHECK(frechet_distance(g2, g1) == Approx(16.0).epsilon(1e-10));  // symmetric
    CHECK(frechet_distance(g1, g1) == Approx(0.0).epsilon(1e-10));

    SUBCASE("rotating both Gaussians by the same orthogonal Q changes nothing") {
        // Q = rotation by 30° about z, then by 45° about x. Σ' = Q Σ Qᵀ is no longer
        // diagonal, so this runs the general formula; the distance must stay 16.
        const double c1 = std::cos(std::numbers::pi / 6), s1 = std::sin(std::numbers::pi / 6);
        const double c2 = std::cos(std::numbers::pi / 4), s2 = std::sin(std::numbers::pi / 4);
        const Matrix rz = {{c1, -s1, 0}, {s1, c1, 0}, {0, 0, 1}};
        const Matrix rx = {{1, 0, 0}, {0, c2, -s2}, {0, s2, c2}};
        const Matrix q = product(rx, rz);
        const auto rotate = [&](const Gaussian& g) {
            const Matrix mean_column = xt::reshape_view(g.mean, {3, 1});
            const Matrix mean = product(q, mean_column);
            return Gaussian{xt::flatten(mean), product(product(q, g.cov), xt::transpose(q))};
        };
        const Gaussian r1 = rotate(g1), r2 = rotate(g2);
        CHECK(std::abs(r1.cov(0, 1)) > 0.1);  // really not diagonal
        CHECK(frechet_distance(r1, r2) == Approx(16.0).epsilon(1e-9));
    }
}

TEST_CASE("frechet_distance on feature sets") {
    SUBCASE("a set against itself: 0") {
        Generator gen(5);
        const Array x = gen.normal_array({300, 8});
        CHECK(frechet_distance(x, x) == Approx(0.0).epsilon(1e-6));
    }
    SUBCASE("two large Gaussian samples: close to the closed form") {
        // x ~ N((0,0), diag(1,1)), y ~ N((3,0), diag(4,1)):
        //   d² = 3² + (√1 − √4)² + (√1 − √1)² = 9 + 1 + 0 = 10
        Generator gen(11);
        const std::size_t n = 40000;
        Array x = gen.normal_array({n, 2});
        Array y = gen.normal_array({n, 2});
        for (std::size_t i = 0; i < n; ++i) y(i, 0) = 3.0f + 2.0f * y(i, 0);
        CHECK(frechet_distance(x, y) == Approx(10.0).epsilon(0.02));
    }
    CHECK_THROWS_WITH_AS(frechet_distance(Array(xt::zeros<float>({3, 2})), Array(xt::zeros<float>({3, 4}))),
                         "frechet_distance: feature sets (3, 2) and (3, 4) have different numbers of features",
                         ShapeError);
}

TEST_CASE("classifier_score") {
    SUBCASE("every p(y|x) the same: p(y) equals it, every KL is 0, score e^0 = 1") {
        const Array probs = rows_of(3, 3, {0.2f, 0.3f, 0.5f, 0.2f, 0.3f, 0.5f, 0.2f, 0.3f, 0.5f});
        CHECK(classifier_score(probs) == Approx(1.0));
    }
    SUBCASE("confident and evenly spread over 10 classes: each KL = ln 10, score 10") {
        Array probs = xt::zeros<float>({20, 10});
        for (std::size_t i = 0; i < 20; ++i) probs(i, i % 10) = 1.0f;
        CHECK(classifier_score(probs) == Approx(10.0).epsilon(1e-6));
    }
    SUBCASE("confident but all one class: score 1 (no variety)") {
        Array probs = xt::zeros<float>({5, 10});
        for (std::size_t i = 0; i < 5; ++i) probs(i, 3) = 1.0f;
        CHECK(classifier_score(probs) == Approx(1.0));
    }
    SUBCASE("hand-worked: rows (1, 0) and (1/2, 1/2)") {
        // p(y) = (3/4, 1/4).  KL1 = 1 ln(1 / (3/4)) = ln(4/3);
        // KL2 = 1/2 ln((1/2)/(3/4)) + 1/2 ln((1/2)/(1/4)) = 1/2 ln(2/3) + 1/2 ln 2 = 1/2 ln(4/3).
        // mean = 3/4 ln(4/3), score = (4/3)^(3/4) = 1.2408065
        const Array probs = rows_of(2, 2, {1.0f, 0.0f, 0.5f, 0.5f});
        CHECK(classifier_score(probs) == Approx(std::pow(4.0 / 3.0, 0.75)).epsilon(1e-7));
    }
}

TEST_CASE("within_class_diversity") {
    SUBCASE("hand-placed points") {
        // class 0: (0,0) (3,4) (0,4): distances 5, 4, 3 -> mean 4
        // class 1: one point -> NaN.   class 2: (1,1) twice -> 0.   class 3: none -> NaN
        const Array pts = rows_of(6, 2, {0, 0, 3, 4, 1, 1, 0, 4, 7, 7, 1, 1});
        const Indices labels{0, 0, 2, 0, 1, 2};
        const std::vector<double> d = within_class_diversity(pts, labels, 4);
        REQUIRE(d.size() == 4);
        CHECK(d[0] == Approx(4.0));
        CHECK(std::isnan(d[1]));
        CHECK(d[2] == Approx(0.0));
        CHECK(std::isnan(d[3]));
        CHECK(mean_ignoring_nan(d) == Approx(2.0));  // (4 + 0) / 2
    }
    SUBCASE("the cap picks evenly spaced members") {
        // Class 0 at x = 0, 1, 10, 100; capped at 2 it uses members k·4/2 = 0 and 2: x = 0 and 10.
        const Array pts = rows_of(4, 1, {0, 1, 10, 100});
        CHECK(within_class_diversity(pts, {0, 0, 0, 0}, 1, 2)[0] == Approx(10.0));
        // Uncapped: pairs 1, 10, 100, 9, 99, 90 -> 309 / 6 = 51.5
        CHECK(within_class_diversity(pts, {0, 0, 0, 0}, 1)[0] == Approx(51.5));
    }
    CHECK(std::isnan(mean_ignoring_nan({NAN, NAN})));
    CHECK_FAILS_WITH_AS(within_class_diversity(rows_of(2, 1, {0, 1}), {0}, 1),
                        "within_class_diversity: 2 images and 1 labels", std::invalid_argument);
}
