// ops_random.cpp — ops that draw random numbers. Every draw comes from the
// caller's Generator, in row-major order, so a seed fixes the result.
#include "ops_random.hpp"

#include <sstream>
#include <stdexcept>

#include "tape.hpp"

namespace xgrad {

// dropout: m_i = 1/(1-p) with probability 1-p, else 0      out = x * m      dx = g * m   (saves m)
// Element i is kept when its draw u_i = gen.uniform() satisfies u_i >= p, which happens
// with probability 1 - p. Scaling the kept elements by 1/(1-p) keeps E[out] = x.
Tensor dropout(const Tensor& x, float p, Generator& gen, bool training) {
    if (!(p >= 0.0f && p < 1.0f)) {  // also rejects NaN
        std::ostringstream msg;
        msg << "dropout: p must be in [0, 1), got " << p;
        throw std::invalid_argument(msg.str());
    }
    if (!training || p == 0.0f) return x;  // the identity: nothing drawn, nothing recorded

    const float scale = 1.0f / (1.0f - p);
    Array mask = Array::from_shape(x.shape());
    Array out = Array::from_shape(x.shape());
    const float* xs = x.value().data();
    float* m = mask.data();
    float* ys = out.data();
    // Two passes: the draws first, then the arithmetic, which has no branch on the
    // random draw (a select the compiler vectorises) and so no mispredictions.
    for (std::size_t i = 0; i < out.size(); ++i) m[i] = gen.uniform();  // u_i
    for (std::size_t i = 0; i < out.size(); ++i) {
        m[i] = m[i] >= p ? scale : 0.0f;
        ys[i] = xs[i] * m[i];
    }
    return record("dropout", std::move(out), {x}, [x, mask = std::move(mask)](const Array& g, const Array&) {
        x.add_grad(g * mask);
    });
}

}  // namespace xgrad
