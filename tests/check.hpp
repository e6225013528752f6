// check.hpp — helpers shared by the tests: array comparison, random inputs, a
// module's tensors compared by value, an assertion on an exception's exact message,
// and a gradient-check assertion that prints gradcheck's report when it fails.
// (Temporary directories, whole files and shell commands: files.hpp.)
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <stdexcept>
#include <string>
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

// A module's parameters then its buffers, by dotted name (as save_checkpoint writes
// them), and whether two such lists hold the same names with exactly the same values.
inline nn::NamedTensors module_tensors(const nn::Module& m) {
    nn::NamedTensors all = m.named_parameters();
    for (auto& b : m.named_buffers()) all.push_back(b);
    return all;
}
inline bool same_tensors(const nn::NamedTensors& a, const nn::NamedTensors& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].first != b[i].first || !(a[i].second.value() == b[i].second.value())) return false;
    return true;
}

}  // namespace xgrad::testing

// expr must throw `type` (CHECK_FAILS_WITH: std::runtime_error) with exactly this
// message, which may be built at run time ("cannot open " + path): it is held in a
// variable, since doctest keeps only a pointer to it past the end of the expression.
#define CHECK_FAILS_WITH_AS(expr, msg, type)                                  \
    do {                                                                      \
        const std::string expected_message_ = (msg);                          \
        CHECK_THROWS_WITH_AS(expr, expected_message_.c_str(), type);          \
    } while (0)
#define CHECK_FAILS_WITH(expr, msg) CHECK_FAILS_WITH_AS(expr, msg, std::runtime_error)

// Gradient check of f at inputs; on failure the message says where and by how much.
// Variadic, so a lambda with several captures ([a, b]) is not split at its comma.
#define CHECK_GRADCHECK(...)                                                      \
    do {                                                                          \
        const auto gc_result_ = ::xgrad::gradcheck(__VA_ARGS__);                  \
        INFO(gc_result_.report());                                                \
        CHECK(gc_result_.ok);                                                     \
    } while (0)
