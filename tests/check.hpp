// check.hpp — helpers shared by the tests: array comparison and a gradient-check
// assertion that prints gradcheck's report when it fails.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/nn.hpp"

namespace xgrad::testing {

// Every element of a equals b within tol (absolute + relative), same shape.
inline bool all_close(const Array& a, const Array& b, float tol = 1e-5f) {
    if (a.shape() != b.shape()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const float x = a.data()[i], y = b.data()[i];
        if (!(std::abs(x - y) <= tol * (1.0f + std::abs(y)))) return false;
    }
    return true;
}

// `a` with a new shape (e.g. a column: reshaped({1, 2}, {2, 1}); Array{{1}, {2}} is ambiguous).
inline Array reshaped(Array a, const Shape& shape) {
    a.reshape(shape);
    return a;
}

// Inputs of a given shape with values drawn from N(0, 1) (or U(lo, hi)).
inline Tensor randn(const Shape& shape, std::uint64_t seed = 7) {
    Generator gen(seed);
    return Tensor(gen.normal_array(shape));
}
inline Tensor randu(const Shape& shape, float lo, float hi, std::uint64_t seed = 7) {
    Generator gen(seed);
    return Tensor(gen.uniform_array(shape, lo, hi));
}

}  // namespace xgrad::testing

// Gradient check of f at inputs; on failure the message says where and by how much.
// Variadic, so a lambda with several captures ([a, b]) is not split at its comma.
#define CHECK_GRADCHECK(...)                                                      \
    do {                                                                          \
        const auto gc_result_ = ::xgrad::gradcheck(__VA_ARGS__);                  \
        INFO(gc_result_.report());                                                \
        CHECK(gc_result_.ok);                                                     \
    } while (0)
