// dropout.hpp — inverted dropout as a layer (torch.nn.Dropout): in training each
// element is zeroed with probability p and the survivors are scaled by 1/(1 - p);
// in eval() it is the identity. The masks are drawn from a Generator the caller owns.
#pragma once

#include "../autodiff/random.hpp"
#include "module.hpp"

namespace xgrad::nn {

class Dropout : public Layer {
public:
    // Keeps a pointer to gen: the generator must outlive this layer (typically
    // one Generator owned by the training program, next to the model). p in [0, 1),
    // else std::invalid_argument "Dropout: p must be in [0, 1), got 1".
    Dropout(float p, Generator& gen);

    // Training: draws x.size() numbers from the generator, one per element in
    // row-major order. Eval (or p = 0): returns x itself and draws nothing.
    Tensor forward(const Tensor& x) override;

    float p() const { return p_; }

private:
    float p_;
    Generator* gen_;  // not owned
};

}  // namespace xgrad::nn
