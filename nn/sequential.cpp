// sequential.cpp — the chain: each layer's output is the next one's input.
#include "sequential.hpp"

namespace xgrad::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Layer>> layers) {
    for (const auto& layer : layers) add(layer);
}

Tensor Sequential::forward(const Tensor& x) {
    Tensor y = x;
    for (const auto& layer : layers_) y = layer->forward(y);
    return y;
}

}  // namespace xgrad::nn
