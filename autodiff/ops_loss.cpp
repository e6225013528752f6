// ops_loss.cpp — softmax, log_softmax and the losses, each in its numerically
// stable form: finite values and finite gradients even for logits of ±1e4.
// Targets and labels are constants: no gradient flows into them (they are not
// inputs of the recorded op). Only mse differentiates both of its arguments.
#include "ops_loss.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "kernels.hpp"
#include "tape.hpp"

namespace xgrad {

namespace {

// ---------------------------------------------------------------------------
// softmax and log_softmax work on rows along an axis: kernels::AxisSplit sees x
// as outer × n × inner, and a row is the n elements of one (o, i), `inner` apart.

// The max of a row of n elements `stride` apart (-inf for an empty row).
float row_max(const float* x, std::size_t n, std::size_t stride) {
    float m = -std::numeric_limits<float>::infinity();
    for (std::size_t k = 0; k < n; ++k) m = std::max(m, x[k * stride]);
    return m;
}

// ---------------------------------------------------------------------------
// Reductions. A loss first has one value l_i per element (per row for
// cross_entropy); `reduction` turns them into the output:
//   mean: Σ l_i / count (a scalar)   sum: Σ l_i (a scalar)   none: the l_i, shape `shape`.
// The sum is accumulated in double, so a large batch loses no precision.
template <class LossAt>
Array reduce_losses(const Shape& shape, std::size_t count, Reduction reduction, LossAt loss_at) {
    if (reduction == Reduction::none) {
        Array out = Array::from_shape(shape);
        float* l = out.data();
        for (std::size_t i = 0; i < count; ++i) l[i] = loss_at(i);
        return out;
    }
    double total = 0.0;
    for (std::size_t i = 0; i < count; ++i) total += loss_at(i);
    if (reduction == Reduction::mean) total /= static_cast<double>(count);
    return Array(static_cast<float>(total));
}

// The backward of reduce_losses: the gradient reaching l_i is g[i] (none),
// the scalar g (sum) or g / count (mean).
class LossGrad {
public:
    LossGrad(const Array& g, Reduction reduction, std::size_t count)
        : g_(g.data()),
          step_(reduction == Reduction::none ? 1 : 0),
          scale_(reduction == Reduction::mean ? 1.0f / static_cast<float>(count) : 1.0f) {}
    float operator[](std::size_t i) const { return g_[i * step_] * scale_; }

private:
    const float* g_;
    std::size_t step_;
    float scale_;
};

// ShapeError "<op>: logits (64, 1) and targets (64,) differ in shape".
void check_same_shape(const char* op, const char* a_name, const Shape& a, const char* b_name, const Shape& b) {
    if (a != b)
        throw ShapeError(std::string(op) + ": " + a_name + " " + shape_str(a) + " and " + b_name + " " +
                         shape_str(b) + " differ in shape");
}

}  // namespace

// ---------------------------------------------------------------------------
// softmax: y = e^(x - m) / Σ e^(x - m), m = row max     dx = y ⊙ (g - Σ g ⊙ y)   (saves y)
// Shifting by m makes every exponent <= 0: no overflow, and Σ >= 1.
Tensor softmax(const Tensor& x, std::ptrdiff_t axis) {
    const kernels::AxisSplit rows(x.shape(), normalize_axis("softmax", axis, x.shape()));
    Array out = Array::from_shape(x.shape());
    const float* xs = x.value().data();
    float* ys = out.data();
    const std::size_t n = rows.n, stride = rows.inner;
    rows.for_each_row([&](std::size_t start) {
        // TASK 4: y = e^(x - m) / Σ e^(x - m) along the row (elements `stride` apart), m = row_max: never e^(huge)
        const float* xr = xs + start;
        float* yr = ys + start;
        const float m = row_max(xr, n, stride);
        float s = 0.0f;
        for (std::size_t k = 0; k < n; ++k) {
            yr[k * stride] = std::exp(xr[k * stride] - m);
            s += yr[k * stride];
        }
        const float inv_s = 1.0f / s;
        for (std::size_t k = 0; k < n; ++k) yr[k * stride] *= inv_s;
        // END TASK 4
    });
    return record("softmax", std::move(out), {x}, [x, rows](const Array& g, const Array& y) {
        Array dx = Array::from_shape(y.shape());
        const std::size_t n = rows.n, stride = rows.inner;
        rows.for_each_row([&](std::size_t start) {
            // TASK 4: dx = y ⊙ (g - Σ g ⊙ y), the sum over the row
            const float* gr = g.data() + start;
            const float* yr = y.data() + start;
            float* dr = dx.data() + start;
            float dot = 0.0f;  // Σ g ⊙ y over the row
            for (std::size_t k = 0; k < n; ++k) dot += gr[k * stride] * yr[k * stride];
            for (std::size_t k = 0; k < n; ++k) dr[k * stride] = yr[k * stride] * (gr[k * stride] - dot);
            // END TASK 4
        });
        x.add_grad(std::move(dx));
    });
}

// log_softmax: y = (x - m) - log Σ e^(x - m)        dx = g - e^y ⊙ Σ g           (saves y)
// e^y is the softmax; (x - m) is formed first, so y stays exact for huge logits.
Tensor log_softmax(const Tensor& x, std::ptrdiff_t axis) {
    const kernels::AxisSplit rows(x.shape(), normalize_axis("log_softmax", axis, x.shape()));
    Array out = Array::from_shape(x.shape());
    const float* xs = x.value().data();
    float* ys = out.data();
    const std::size_t n = rows.n, stride = rows.inner;
    rows.for_each_row([&](std::size_t start) {
        // TASK 4: y = (x - m) - log Σ e^(x - m) along the row, m = row_max
        const float* xr = xs + start;
        float* yr = ys + start;
        const float m = row_max(xr, n, stride);
        float s = 0.0f;
        for (std::size_t k = 0; k < n; ++k) s += std::exp(xr[k * stride] - m);
        const float log_s = std::log(s);
        for (std::size_t k = 0; k < n; ++k) yr[k * stride] = (xr[k * stride] - m) - log_s;
        // END TASK 4
    });
    return record("log_softmax", std::move(out), {x}, [x, rows](const Array& g, const Array& y) {
        Array dx = Array::from_shape(y.shape());
        const std::size_t n = rows.n, stride = rows.inner;
        rows.for_each_row([&](std::size_t start) {
            // TASK 4: dx = g - e^y ⊙ Σ g, the sum over the row (e^y is the softmax)
            const float* gr = g.data() + start;
            const float* yr = y.data() + start;
            float* dr = dx.data() + start;
            float sum_g = 0.0f;  // Σ g over the row
            for (std::size_t k = 0; k < n; ++k) sum_g += gr[k * stride];
            for (std::size_t k = 0; k < n; ++k) dr[k * stride] = gr[k * stride] - std::exp(yr[k * stride]) * sum_g;
            // END TASK 4
        });
        x.add_grad(std::move(dx));
    });
}

// ---------------------------------------------------------------------------
// bce_with_logits: l = max(x, 0) - x t + log1p(e^-|x|)     dx = (sigmoid(x) - t) · g   (÷N for mean)
// The same value as -(t log σ(x) + (1 - t) log(1 - σ(x))), but e^-|x| <= 1 never
// overflows: at x = 1e4, t = 0 the loss is exactly 1e4 and dx = g.
// targets are a constant: they get no gradient and are not an input on the tape.
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets, Reduction reduction) {
    check_same_shape("bce_with_logits", "logits", logits.shape(), "targets", targets.shape());
    const float* x = logits.value().data();
    const float* t = targets.value().data();
    Array out = reduce_losses(logits.shape(), logits.size(), reduction, [x, t](std::size_t i) {
        return std::max(x[i], 0.0f) - x[i] * t[i] + std::log1p(std::exp(-std::abs(x[i])));
    });
    return record("bce_with_logits", std::move(out), {logits},
                  [logits, targets, reduction](const Array& g, const Array&) {
                      const std::size_t count = logits.size();
                      const LossGrad gl(g, reduction, count);
                      const float* x = logits.value().data();
                      const float* t = targets.value().data();
                      Array dx = Array::from_shape(logits.shape());
                      float* d = dx.data();
                      for (std::size_t i = 0; i < count; ++i) d[i] = (kernels::sigmoid(x[i]) - t[i]) * gl[i];
                      logits.add_grad(std::move(dx));
                  });
}

// bce: l = -(t · max(log p, -100) + (1 - t) · max(log(1 - p), -100))
//      dp = (p - t) / max(p (1 - p), 1e-12) · g   (÷N for mean)
// The clamps (as in PyTorch) keep p = 0 and p = 1 finite; log(1 - p) is log1p(-p),
// exact for small p. targets are a constant (no gradient, not a tape input).
Tensor bce(const Tensor& probs, const Tensor& targets, Reduction reduction) {
    check_same_shape("bce", "probs", probs.shape(), "targets", targets.shape());
    const float* p = probs.value().data();
    const float* t = targets.value().data();
    for (std::size_t i = 0; i < probs.size(); ++i)
        if (!(p[i] >= 0.0f && p[i] <= 1.0f)) {
            std::ostringstream msg;
            msg << "bce: probabilities must lie in [0, 1], got " << p[i] << " at element " << i
                << "; for raw scores use bce_with_logits";
            throw std::invalid_argument(msg.str());
        }
    Array out = reduce_losses(probs.shape(), probs.size(), reduction, [p, t](std::size_t i) {
        const float log_p = std::max(std::log(p[i]), -100.0f);
        const float log_1mp = std::max(std::log1p(-p[i]), -100.0f);
        return -(t[i] * log_p + (1.0f - t[i]) * log_1mp);
    });
    return record("bce", std::move(out), {probs}, [probs, targets, reduction](const Array& g, const Array&) {
        const std::size_t count = probs.size();
        const LossGrad gl(g, reduction, count);
        const float* p = probs.value().data();
        const float* t = targets.value().data();
        Array dp = Array::from_shape(probs.shape());
        float* d = dp.data();
        for (std::size_t i = 0; i < count; ++i)
            d[i] = (p[i] - t[i]) / std::max(p[i] * (1.0f - p[i]), 1e-12f) * gl[i];
        probs.add_grad(std::move(dp));
    });
}

// ---------------------------------------------------------------------------
// cross_entropy: logits x (N, C), labels (N), smoothing ε, target row q = (1 - ε) onehot(label) + ε / C
//   l_r = -Σ_j q_j log softmax(x_r)_j = log s + (1 - ε)(m - x_label) + (ε / C) Σ_j (m - x_j)
//         with m = row max, s = Σ_j e^(x_j - m)  (the weights q sum to 1, so log s appears once)
//   dx_rj = (softmax(x_r)_j - q_j) · g_r   (÷N for mean)          labels get no gradient.
// Forward saves each row's m and s, so backward gets softmax = e^(x - m) / s without a second max.
Tensor cross_entropy(const Tensor& logits, const Indices& labels, Reduction reduction, float label_smoothing) {
    if (logits.dim() != 2)
        throw ShapeError("cross_entropy: logits must be 2-D (N, C), got shape " + shape_str(logits.shape()));
    const std::size_t N = logits.shape()[0], C = logits.shape()[1];
    if (labels.size() != N)
        throw ShapeError("cross_entropy: logits " + shape_str(logits.shape()) + " and labels " +
                         shape_str(Shape{labels.size()}) + " differ in batch size");
    if (!(label_smoothing >= 0.0f && label_smoothing < 1.0f)) {
        std::ostringstream msg;
        msg << "cross_entropy: label_smoothing must be in [0, 1), got " << label_smoothing;
        throw std::invalid_argument(msg.str());
    }
    for (std::size_t r = 0; r < N; ++r)
        if (labels[r] >= C)
            throw std::invalid_argument("cross_entropy: label " + std::to_string(labels[r]) + " out of range for " +
                                        std::to_string(C) + " classes (row " + std::to_string(r) + ")");

    struct RowStats {
        float max;  // m = max_j x_j
        float sum;  // s = Σ_j e^(x_j - m), in [1, C]
    };
    std::vector<RowStats> stats(N);
    const float* x = logits.value().data();
    const float eps = label_smoothing;
    const float w_each = C > 0 ? eps / static_cast<float>(C) : 0.0f;  // q_j = w_each for every class j,
    const float w_label = 1.0f - eps;                                 // plus w_label for the labelled one
    Array out = reduce_losses(Shape{N}, N, reduction, [&](std::size_t r) {
        const float* xr = x + r * C;
        const float m = row_max(xr, C, 1);
        float s = 0.0f, gap = 0.0f;  // gap = Σ_j (m - x_j), only needed when smoothing
        for (std::size_t j = 0; j < C; ++j) {
            s += std::exp(xr[j] - m);
            gap += m - xr[j];
        }
        stats[r] = {m, s};
        const float smooth = w_each > 0.0f ? w_each * gap : 0.0f;  // skipped at ε = 0: a -inf logit gives 0 · inf
        return std::log(s) + w_label * (m - xr[labels[r]]) + smooth;
    });
    return record("cross_entropy", std::move(out), {logits},
                  [logits, labels, reduction, w_label, w_each, stats = std::move(stats)](const Array& g,
                                                                                         const Array&) {
                      const std::size_t N = logits.shape()[0], C = logits.shape()[1];
                      const LossGrad gl(g, reduction, N);
                      const float* x = logits.value().data();
                      Array dx = Array::from_shape(logits.shape());
                      // TASK 4: row r: dx_rj = (softmax(x_r)_j - q_j) · gl[r], softmax = e^(x - max) / sum from stats[r]
                      for (std::size_t r = 0; r < N; ++r) {
                          const float* xr = x + r * C;
                          float* dr = dx.data() + r * C;
                          const float inv_s = 1.0f / stats[r].sum, gr = gl[r];
                          for (std::size_t j = 0; j < C; ++j)
                              dr[j] = (std::exp(xr[j] - stats[r].max) * inv_s - w_each) * gr;
                          dr[labels[r]] -= w_label * gr;
                      }
                      // END TASK 4
                      logits.add_grad(std::move(dx));
                  });
}

// ---------------------------------------------------------------------------
// mse: l = (a - b)²      da = 2 (a - b) · g   db = -da   (÷N for mean)   a, b same shape
Tensor mse(const Tensor& a, const Tensor& b, Reduction reduction) {
    check_same_shape("mse", "a", a.shape(), "b", b.shape());
    const float* av = a.value().data();
    const float* bv = b.value().data();
    Array out = reduce_losses(a.shape(), a.size(), reduction, [av, bv](std::size_t i) {
        const float d = av[i] - bv[i];
        return d * d;
    });
    return record("mse", std::move(out), {a, b}, [a, b, reduction](const Array& g, const Array&) {
        const std::size_t count = a.size();
        const LossGrad gl(g, reduction, count);
        const float* av = a.value().data();
        const float* bv = b.value().data();
        Array da = Array::from_shape(a.shape());
        float* d = da.data();
        for (std::size_t i = 0; i < count; ++i) d[i] = 2.0f * (av[i] - bv[i]) * gl[i];
        if (a.requires_grad()) a.add_grad(da);
        if (b.requires_grad()) b.add_grad(-da);
    });
}

}  // namespace xgrad
