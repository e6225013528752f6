// maxout.cpp — a Linear layer, a reshape that groups each unit's pieces, and max along them.
#include "maxout.hpp"

#include <stdexcept>
#include <string>

#include "../autodiff/ops_reduce.hpp"
#include "../autodiff/ops_shape.hpp"

namespace xgrad::nn {

namespace {
void require_pieces(const char* who, std::size_t pieces) {
    if (pieces == 0) throw std::invalid_argument(std::string(who) + ": pieces must be at least 1");
}
}  // namespace

// z (N, out·K) → (N, out, K) → max over axis 2 → (N, out)
Tensor maxout(const Tensor& z, std::size_t pieces) {
    require_pieces("maxout", pieces);
    if (z.dim() != 2 || z.shape()[1] % pieces != 0)
        throw ShapeError("maxout: input " + shape_str(z.shape()) + " must be 2-D with a multiple of " +
                         std::to_string(pieces) + " columns (" + std::to_string(pieces) + " pieces per unit)");
    const auto n = static_cast<std::ptrdiff_t>(z.shape()[0]);
    const auto units = static_cast<std::ptrdiff_t>(z.shape()[1] / pieces);
    return max(reshape(z, {n, units, static_cast<std::ptrdiff_t>(pieces)}), 2);
}

Maxout::Maxout(std::size_t in_features, std::size_t out_features, std::size_t pieces, Generator& gen)
    : in_(in_features), out_(out_features), pieces_(pieces) {
    require_pieces("Maxout", pieces);
    linear_ = register_module("linear", std::make_shared<Linear>(in_, out_ * pieces_, gen));
}

Tensor Maxout::forward(const Tensor& x) {
    if (x.dim() != 2 || x.shape()[1] != in_) {
        const std::string layer = "Maxout(" + std::to_string(in_) + " -> " + std::to_string(out_) + ", " +
                                  std::to_string(pieces_) + " pieces): input " + shape_str(x.shape());
        if (x.dim() != 2) throw ShapeError(layer + " must be 2-D (batch, features)");
        throw ShapeError(layer + " has " + std::to_string(x.shape()[1]) + " features, expected " +
                         std::to_string(in_));
    }
    return maxout(linear_->forward(x), pieces_);
}

}  // namespace xgrad::nn
