// maxout.hpp — the maxout layer (Goodfellow et al. 2013), the hidden unit of
// Mirza & Osindero's CGAN discriminator: each output is the largest of `pieces`
// affine functions of the input.
// Shape legend: N batch, K = pieces.
//   x (N, in) → Linear → z (N, out·K) → view (N, out, K) → max over K → y (N, out)
// Unit j's pieces are the consecutive columns j·K .. j·K + K - 1 of z.
#pragma once

#include <cstddef>
#include <memory>

#include "../autodiff/random.hpp"
#include "linear.hpp"
#include "module.hpp"

namespace xgrad::nn {

// The function behind the layer: y[n, j] = max_k z[n, j·K + k].  The gradient
// goes to the first maximal piece of each unit. ShapeError when z is not 2-D or
// its columns are not a multiple of pieces; std::invalid_argument for pieces = 0.
Tensor maxout(const Tensor& z, std::size_t pieces);

class Maxout : public Layer {
public:
    // Child "linear" = Linear(in, out * pieces), initialised from gen, so the
    // parameters are "linear.weight" (out·K, in) and "linear.bias" (out·K,).
    Maxout(std::size_t in_features, std::size_t out_features, std::size_t pieces, Generator& gen);

    // ShapeError "Maxout(4 -> 3, 2 pieces): input (5, 7) has 7 features, expected 4".
    Tensor forward(const Tensor& x) override;

    std::size_t in_features() const { return in_; }
    std::size_t out_features() const { return out_; }
    std::size_t pieces() const { return pieces_; }
    const Linear& linear() const { return *linear_; }

private:
    std::size_t in_, out_, pieces_;
    std::shared_ptr<Linear> linear_;
};

}  // namespace xgrad::nn
