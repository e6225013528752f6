// module.hpp — Module: a named tree of parameters, buffers and child modules,
// as in torch.nn. A module registers what it owns explicitly; named_parameters()
// walks the tree and returns dotted names ("disc.fc1.weight"), each shared
// parameter once. Layer is a Module with one input and one output.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../autodiff/tensor.hpp"

namespace xgrad::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
public:
    virtual ~Module() = default;

    // Every trainable tensor in this module and its children, depth first in
    // registration order, with dotted names. A tensor registered under two
    // names (a shared parameter) appears once, under its first name.
    NamedTensors named_parameters() const;
    std::vector<Tensor> parameters() const;
    // Non-trainable state that belongs in a checkpoint (BatchNorm running statistics).
    NamedTensors named_buffers() const;
    // Total number of scalar parameters (shared ones counted once).
    std::size_t num_parameters() const;

    // Training or evaluation mode, set on this module and every child.
    void train(bool on = true);
    void eval() { train(false); }
    bool is_training() const { return training_; }

    // Zero the gradients of every parameter.
    void zero_grad();
    // Freeze (false) or unfreeze (true) every parameter. Ops then record no
    // gradient work for frozen weights (e.g. the discriminator during the generator step).
    void requires_grad(bool on);

    // The children, for walking the tree.
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }

protected:
    // Register what this module owns under a name: a plain word, no dots (the
    // dots are added by the walks), unique among this module's own names.
    // A parameter must be a leaf; it is set to require grad. A buffer never does.
    // The returned handle shares the node with the registry: keep it as a member.
    Tensor register_parameter(std::string name, Tensor t);
    Tensor register_buffer(std::string name, Tensor t);
    template <class M>
    std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> m) {
        check_name("register_module", name, m != nullptr);
        children_.emplace_back(std::move(name), m);
        return m;
    }
    // Called by train()/eval() on each module; layers that cache mode-dependent state override it.
    virtual void on_mode_change() {}

private:
    // Throws std::invalid_argument if name is empty, has a dot, is taken, or the thing is missing.
    void check_name(const char* what, const std::string& name, bool present) const;
    void collect(const std::string& prefix, bool buffers, NamedTensors& out) const;
    NamedTensors params_;
    NamedTensors buffers_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
    bool training_ = true;
};

// A module with one tensor in and one tensor out (Linear, ReLU, Sequential, ...).
class Layer : public Module {
public:
    virtual Tensor forward(const Tensor& x) = 0;
    Tensor operator()(const Tensor& x) { return forward(x); }
};

}  // namespace xgrad::nn
