// metrics.cpp — histogram, KL, conditional accuracy, Fréchet distance, classifier
// score, within-class diversity. Inputs are float arrays (what the networks give);
// every sum is taken in double, so 10,000 samples lose no digits to rounding.
// Shape legend: N samples, C classes, D features (or 784 pixels).
#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <xtensor-blas/xlinalg.hpp>

namespace xgrad::examples {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void require_matrix(const char* fn, const Array& a) {
    if (a.dimension() != 2) throw ShapeError(std::string(fn) + ": expected a 2-D array (rows = samples), got " +
                                             shape_str(a.shape()));
}

// c = a · b in double. xtensor-blas sends it to OpenBLAS (dgemm).
//   a (M, K)  b (K, N)  c (M, N)
Matrix matmul(const Matrix& a, const Matrix& b) { return xt::linalg::dot(a, b); }

// The eigenvalues of a symmetric matrix, ascending, and its eigenvectors as the
// columns of V: A = V diag(λ) Vᵀ. LAPACK dsyevd through xtensor-blas.
//
// Why clamp: a covariance matrix is positive semi-definite, so its eigenvalues are
// >= 0 in exact arithmetic. Computed in floating point, the zero ones (a feature
// that never varies, e.g. a ReLU unit that is always off, or fewer samples than
// features) come out as tiny numbers of either sign, like -3e-16. Their square
// root would be NaN; the true value is 0, so every negative eigenvalue is set to 0.
// (A truly negative one cannot come from a covariance: the input is not PSD.)
std::pair<Vector, Matrix> eigh_clamped(const Matrix& a) {
    auto [w, v] = xt::linalg::eigh(a);
    Vector lambda = xt::maximum(w, 0.0);
    Matrix vectors = v;  // column-major in xtensor-blas; copied into our row-major type
    return {lambda, vectors};
}

// (A + Aᵀ) / 2: a product like S Σ S is symmetric on paper but rounding makes its two
// triangles differ in the last bits; the eigensolver reads only one of them.
Matrix symmetrized(const Matrix& a) { return (a + xt::transpose(a)) / 2.0; }

}  // namespace

std::vector<std::size_t> class_histogram(const Indices& labels, std::size_t classes) {
    std::vector<std::size_t> counts(classes, 0);
    for (const std::size_t y : labels) {
        if (y >= classes)
            throw std::invalid_argument("class_histogram: label " + std::to_string(y) + " is not below " +
                                        std::to_string(classes) + " classes");
        ++counts[y];
    }
    return counts;
}

std::size_t classes_covered(const std::vector<std::size_t>& counts) {
    std::size_t total = 0;
    for (const std::size_t c : counts) total += c;
    std::size_t covered = 0;
    for (const std::size_t c : counts)
        if (c > 0 && c * 100 >= total) ++covered;  // c / total >= 1%, in integers
    return covered;
}

double kl_from_uniform(const std::vector<std::size_t>& counts) {
    double total = 0;
    for (const std::size_t c : counts) total += double(c);
    if (counts.empty() || total == 0) throw std::invalid_argument("kl_from_uniform: the histogram is empty");
    const double classes = double(counts.size());
    double kl = 0;
    for (const std::size_t c : counts) {
        if (c == 0) continue;  // 0 · ln 0 = 0 (the limit of p ln p as p → 0)
        const double p = double(c) / total;
        kl += p * std::log(p * classes);  // p ln(p / (1/C))
    }
    return kl;
}

double conditional_accuracy(const Indices& judged, const Indices& requested) {
    if (judged.size() != requested.size() || judged.empty())
        throw std::invalid_argument("conditional_accuracy: " + std::to_string(judged.size()) + " judged labels and " +
                                    std::to_string(requested.size()) +
                                    " requested ones; need the same number, at least 1");
    std::size_t hits = 0;
    for (std::size_t i = 0; i < judged.size(); ++i) hits += judged[i] == requested[i];
    return double(hits) / double(judged.size());
}

Gaussian fit_gaussian(const Array& features) {
    require_matrix("fit_gaussian", features);
    const std::size_t n = features.shape()[0], d = features.shape()[1];
    if (n < 2) throw std::invalid_argument("fit_gaussian: need at least 2 samples, got " + std::to_string(n));

    // μ = (1/N) Σ_i x_i
    Gaussian g{Vector::from_shape({d}), Matrix::from_shape({d, d})};
    g.mean.fill(0.0);
    const float* x = features.data();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) g.mean(j) += x[i * d + j];
    g.mean /= double(n);

    // Σ = Xcᵀ Xc / (N − 1), Xc = X − μ (the rows centred).
    Matrix xc = Matrix::from_shape({n, d});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) xc(i, j) = x[i * d + j] - g.mean(j);
    const Matrix xct = xt::transpose(xc);
    g.cov = matmul(xct, xc) / double(n - 1);
    return g;
}

Matrix sqrtm_psd(const Matrix& a) {
    if (a.dimension() != 2 || a.shape()[0] != a.shape()[1])
        throw ShapeError("sqrtm_psd: expected a square matrix, got " + std::to_string(a.shape()[0]) + " x " +
                         std::to_string(a.shape()[1]));
    const auto [lambda, v] = eigh_clamped(a);
    // R = V diag(√λ) Vᵀ: scale column k of V by √λ_k, then multiply by Vᵀ.
    Matrix v_scaled = v;
    const std::size_t d = lambda.size();
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t k = 0; k < d; ++k) v_scaled(i, k) *= std::sqrt(lambda(k));
    const Matrix vt = xt::transpose(v);
    return matmul(v_scaled, vt);
}

double frechet_distance(const Gaussian& a, const Gaussian& b) {
    if (a.mean.size() != b.mean.size() || a.cov.shape() != b.cov.shape() ||
        a.cov.shape()[0] != a.mean.size())
        throw ShapeError("frechet_distance: the two Gaussians have different dimensions (" +
                         std::to_string(a.mean.size()) + " and " + std::to_string(b.mean.size()) + ")");
    // ‖μ1 − μ2‖²
    const double mean_term = xt::sum(xt::square(a.mean - b.mean))();
    // tr((Σ1^½ Σ2 Σ1^½)^½) = Σ_k √λ_k, the λ_k being the eigenvalues of the PSD matrix
    // M = Σ1^½ Σ2 Σ1^½ (the trace of a matrix is the sum of its eigenvalues).
    const Matrix s = sqrtm_psd(a.cov);
    const Matrix m = symmetrized(matmul(matmul(s, b.cov), s));
    const Vector lambda = eigh_clamped(m).first;
    const double cross_term = xt::sum(xt::sqrt(lambda))();
    const double trace_term = xt::sum(xt::diagonal(a.cov))() + xt::sum(xt::diagonal(b.cov))() - 2.0 * cross_term;
    // Rounding can push a distance that is really 0 (a set against itself) a hair below it.
    return std::max(0.0, mean_term + trace_term);
}

double frechet_distance(const Array& features_a, const Array& features_b) {
    require_matrix("frechet_distance", features_a);
    require_matrix("frechet_distance", features_b);
    if (features_a.shape()[1] != features_b.shape()[1])
        throw ShapeError("frechet_distance: feature sets " + shape_str(features_a.shape()) + " and " +
                         shape_str(features_b.shape()) + " have different numbers of features");
    return frechet_distance(fit_gaussian(features_a), fit_gaussian(features_b));
}

double classifier_score(const Array& probs) {
    require_matrix("classifier_score", probs);
    const std::size_t n = probs.shape()[0], c = probs.shape()[1];
    if (n == 0) throw std::invalid_argument("classifier_score: no samples");
    const float* p = probs.data();

    // p(y) = (1/N) Σ_x p(y|x), the class distribution over all samples.
    std::vector<double> marginal(c, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t y = 0; y < c; ++y) marginal[y] += p[i * c + y];
    for (double& m : marginal) m /= double(n);

    // E_x KL(p(y|x) ‖ p(y)) = (1/N) Σ_x Σ_y p(y|x) ln(p(y|x) / p(y)), with 0 ln 0 = 0.
    double mean_kl = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t y = 0; y < c; ++y) {
            const double pyx = p[i * c + y];
            if (pyx > 0) mean_kl += pyx * std::log(pyx / marginal[y]);  // pyx > 0 implies p(y) > 0
        }
    mean_kl /= double(n);
    return std::exp(mean_kl);
}

std::vector<double> within_class_diversity(const Array& images, const Indices& labels, std::size_t classes,
                                           std::size_t max_per_class) {
    require_matrix("within_class_diversity", images);
    if (images.shape()[0] != labels.size())
        throw std::invalid_argument("within_class_diversity: " + std::to_string(images.shape()[0]) + " images and " +
                                    std::to_string(labels.size()) + " labels");
    if (max_per_class < 2) throw std::invalid_argument("within_class_diversity: max_per_class must be at least 2");
    const std::size_t d = images.shape()[1];

    // The rows of each class, in order.
    std::vector<Indices> members(classes);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] >= classes)
            throw std::invalid_argument("within_class_diversity: label " + std::to_string(labels[i]) +
                                        " is not below " + std::to_string(classes) + " classes");
        members[labels[i]].push_back(i);
    }

    std::vector<double> diversity(classes, kNaN);
    for (std::size_t c = 0; c < classes; ++c) {
        const Indices& all = members[c];
        if (all.size() < 2) continue;  // no pair: NaN
        // The cap, chosen evenly through the class: rows k·n/m for k = 0..m-1.
        Indices rows;
        const std::size_t m = std::min(all.size(), max_per_class);
        for (std::size_t k = 0; k < m; ++k) rows.push_back(all[k * all.size() / m]);

        // mean over pairs i < j of ‖x_i − x_j‖ = √(Σ_p (x_ip − x_jp)²)
        double sum = 0;
        for (std::size_t i = 0; i < m; ++i) {
            const float* xi = images.data() + rows[i] * d;
            for (std::size_t j = i + 1; j < m; ++j) {
                const float* xj = images.data() + rows[j] * d;
                double sq = 0;
                for (std::size_t p = 0; p < d; ++p) {
                    const double diff = double(xi[p]) - double(xj[p]);
                    sq += diff * diff;
                }
                sum += std::sqrt(sq);
            }
        }
        diversity[c] = sum / (double(m) * double(m - 1) / 2.0);
    }
    return diversity;
}

double mean_ignoring_nan(const std::vector<double>& values) {
    double sum = 0;
    std::size_t n = 0;
    for (const double v : values)
        if (!std::isnan(v)) {
            sum += v;
            ++n;
        }
    return n ? sum / double(n) : kNaN;
}

}  // namespace xgrad::examples
