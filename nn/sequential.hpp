// sequential.hpp — layers applied one after another, as torch.nn.Sequential:
// forward(x) = layer_{k-1}( ... layer_1(layer_0(x)) ). The layers are children
// named by their position, so parameters read "0.weight", "2.bias", ...
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "module.hpp"

namespace xgrad::nn {

class Sequential : public Layer {
public:
    Sequential() = default;
    Sequential(std::initializer_list<std::shared_ptr<Layer>> layers);

    // Append a layer (named by its position); returns it with its own type, so
    //   auto fc = seq.add(std::make_shared<Linear>(784, 128, gen));
    // keeps a typed handle. std::invalid_argument for a null pointer.
    template <class L>
    std::shared_ptr<L> add(std::shared_ptr<L> layer) {
        register_module(std::to_string(layers_.size()), layer);
        layers_.push_back(layer);
        return layer;
    }

    Tensor forward(const Tensor& x) override;

    std::size_t size() const { return layers_.size(); }
    Layer& operator[](std::size_t i) const { return *layers_.at(i); }

private:
    std::vector<std::shared_ptr<Layer>> layers_;
};

}  // namespace xgrad::nn
