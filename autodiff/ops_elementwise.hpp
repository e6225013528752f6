// ops_elementwise.hpp — elementwise ops. Binary ops broadcast like NumPy; their
// backward reduces each input's gradient back to its shape with sum_to.
// Shape legend: a, b, x any shape; out = broadcast shape of a and b.
#pragma once

#include "tensor.hpp"

namespace xgrad {

// Binary, broadcasting. ShapeError "add: shapes (2, 3) and (4,) cannot be broadcast".
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);

// With a scalar constant s (no gradient for s).
Tensor add(const Tensor& x, float s);   // x + s
Tensor mul(const Tensor& x, float s);   // x * s
Tensor sub(const Tensor& x, float s);   // x - s
Tensor sub(float s, const Tensor& x);   // s - x
Tensor div(const Tensor& x, float s);   // x / s
Tensor div(float s, const Tensor& x);   // s / x

// Unary math.
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor pow(const Tensor& x, float p);                 // x^p for a constant exponent
Tensor abs(const Tensor& x);                          // d/dx = sign(x), 0 at 0
Tensor clamp(const Tensor& x, float lo, float hi);    // gradient passes where lo <= x <= hi

// Activations.
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, float slope = 0.01f);
Tensor sigmoid(const Tensor& x);   // numerically stable for any x
Tensor tanh(const Tensor& x);

// Selection, broadcasting over all their inputs.
// out = a where condition != 0, else b. condition is read as a mask and gets no
// gradient (a NaN counts as nonzero); da = g where the mask is set, db = g elsewhere.
// ShapeError "where: condition (2, 3), a (4,) and b (3,) cannot be broadcast together".
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
// The elementwise smaller / larger of a and b (a NaN in either gives NaN). The side
// that wins gets g; at a tie each side gets g / 2, as in PyTorch.
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);

// C++ operators, same meaning as the functions above.
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& x, float s) { return add(x, s); }
inline Tensor operator+(float s, const Tensor& x) { return add(x, s); }
inline Tensor operator-(const Tensor& x, float s) { return sub(x, s); }
inline Tensor operator-(float s, const Tensor& x) { return sub(s, x); }
inline Tensor operator*(const Tensor& x, float s) { return mul(x, s); }
inline Tensor operator*(float s, const Tensor& x) { return mul(x, s); }
inline Tensor operator/(const Tensor& x, float s) { return div(x, s); }
inline Tensor operator/(float s, const Tensor& x) { return div(s, x); }

}  // namespace xgrad
