// gradcheck.hpp — compare the gradients backward() computes with central finite
// differences, (f(x + h) - f(x - h)) / 2h, accumulated in double. Use it on
// your own functions: a wrong backward shows up as a large error at a named
// input and element.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "tensor.hpp"

namespace xgrad {

struct GradcheckOptions {
    double eps = 1e-2;        // finite-difference step h (float32 inputs need a large one)
    double tolerance = 1e-2;  // largest acceptable error (see GradcheckResult::max_error)
    std::uint64_t seed = 1;   // for the random projection of non-scalar outputs
};

struct GradcheckResult {
    bool ok = false;
    // error = |analytic - numeric| / max(1, |analytic|, |numeric|): relative for
    // large gradients, absolute below 1.
    double max_error = 0.0;
    std::size_t worst_input = 0;    // which input
    std::size_t worst_element = 0;  // flat index into it
    double analytic = 0.0;          // the two values there
    double numeric = 0.0;
    std::string report() const;     // one readable line
};

// f maps the inputs to an output of any shape. A non-scalar output y is
// reduced to the scalar Σ r ⊙ y with fixed random weights r, so every output
// element is checked. Every input gets requires_grad; f must be deterministic.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace xgrad
