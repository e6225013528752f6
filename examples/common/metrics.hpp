// metrics.hpp — the numbers that measure mode collapse (docs/evaluation.md).
// Pure functions: plain inputs (labels, probabilities, features, pixels) in,
// numbers out; no network, no files. All arithmetic is done in double.
//
//   class_histogram, classes_covered, kl_from_uniform   which digits appear, how evenly
//   conditional_accuracy                                 does a CGAN draw the digit it is asked for
//   frechet_distance                                     how far the feature distributions are apart
//   classifier_score                                     confident and varied classes ("Inception score")
//   within_class_diversity                               how different the samples of one class are
#pragma once

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "autodiff/shape.hpp"

namespace xgrad::examples {

using Vector = xt::xtensor<double, 1>;
using Matrix = xt::xtensor<double, 2>;

// counts[c] = how many labels equal c, for c = 0..classes-1. std::invalid_argument
// "class_histogram: label 12 is not below 10 classes" for a label out of range.
std::vector<std::size_t> class_histogram(const Indices& labels, std::size_t classes = 10);

// How many classes hold at least 1% of the samples (count * 100 >= total).
// 0 for an empty histogram.
std::size_t classes_covered(const std::vector<std::size_t>& counts);

// KL(p ‖ uniform) = Σ_c p_c ln(p_c · C) in nats, p_c = counts[c] / total, with 0 ln 0 = 0.
// 0 for a perfectly even histogram, ln C when every sample is in one class.
// std::invalid_argument when the histogram is empty or all zero.
double kl_from_uniform(const std::vector<std::size_t>& counts);

// The fraction of samples with judged[i] == requested[i]. std::invalid_argument
// when the sizes differ or are 0.
double conditional_accuracy(const Indices& judged, const Indices& requested);

// The mean and covariance of a feature set: rows are samples, columns features.
//   mean (D)   cov (D, D) with the unbiased 1/(N-1) (as numpy.cov), N >= 2.
struct Gaussian {
    Vector mean;
    Matrix cov;
};
Gaussian fit_gaussian(const Array& features);

// The square root of a symmetric positive semi-definite matrix: R with R R = A and
// R symmetric PSD. Through LAPACK's symmetric eigensolver (dsyevd): A = V diag(λ) Vᵀ,
// R = V diag(√λ) Vᵀ.
Matrix sqrtm_psd(const Matrix& a);

// The Fréchet distance between the Gaussians N(μ1, Σ1) and N(μ2, Σ2):
//   d² = ‖μ1 − μ2‖² + tr(Σ1 + Σ2 − 2 (Σ1^½ Σ2 Σ1^½)^½)
// (the squared 2-Wasserstein distance; called FID when the features are Inception's).
double frechet_distance(const Gaussian& a, const Gaussian& b);
// The same between two feature sets (rows = samples, the same number of columns).
double frechet_distance(const Array& features_a, const Array& features_b);

// exp( E_x KL(p(y|x) ‖ p(y)) ), p(y) = E_x p(y|x): probs (N, C), each row a
// distribution. 1 when every row is the same; C when each row is sure of one class
// and the classes are evenly used. (The Inception score, with the judge as the classifier.)
double classifier_score(const Array& probs);

// The most samples of one class within_class_diversity compares: 500 (124,750 pairs).
inline constexpr std::size_t kDiversityCap = 500;

// For each class c: the mean Euclidean distance ‖x_i − x_j‖ over all pairs i < j of
// the images (rows of `images`) whose label is c. A class with more than max_per_class
// images uses max_per_class of them, evenly spaced in their order (image k·n/max for
// k = 0..max-1: deterministic, no random draw). NaN for a class with fewer than 2 images.
std::vector<double> within_class_diversity(const Array& images, const Indices& labels, std::size_t classes = 10,
                                           std::size_t max_per_class = kDiversityCap);

// The mean of the values that are not NaN; NaN when there are none.
double mean_ignoring_nan(const std::vector<double>& values);

}  // namespace xgrad::examples
