// ops_random.hpp — ops that draw random numbers, from a caller-owned Generator.
#pragma once

#include "random.hpp"
#include "tensor.hpp"

namespace xgrad {

// Inverted dropout: in training, each element is kept with probability 1 - p
// and scaled by 1/(1 - p), so the expectation is unchanged; the mask m is drawn
// from gen. out = x * m, dx = g * m. With training = false (or p = 0) it is
// the identity. p must be in [0, 1).
Tensor dropout(const Tensor& x, float p, Generator& gen, bool training = true);

}  // namespace xgrad
