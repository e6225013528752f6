// dropout.cpp — the layer holds p and the generator; the work is the core dropout op.
#include "dropout.hpp"

#include <sstream>
#include <stdexcept>

#include "../autodiff/ops_random.hpp"

namespace xgrad::nn {

Dropout::Dropout(float p, Generator& gen) : p_(p), gen_(&gen) {
    if (!(p >= 0.0f && p < 1.0f)) {  // also rejects NaN
        std::ostringstream msg;
        msg << "Dropout: p must be in [0, 1), got " << p;
        throw std::invalid_argument(msg.str());
    }
}

Tensor Dropout::forward(const Tensor& x) { return dropout(x, p_, *gen_, is_training()); }

}  // namespace xgrad::nn
