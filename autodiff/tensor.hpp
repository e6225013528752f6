// tensor.hpp — Tensor, a cheap shared handle to a Node that holds a value, its
// gradient and whether it requires one. Copying a Tensor copies the handle, not
// the array: two handles to one node see the same value and the same gradient.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "shape.hpp"

namespace xgrad {

// What a tensor is. Leaves are made by the user (inputs, parameters); results
// are made by ops and know their place on the tape, which backward walks.
struct Node {
    Array value;
    Array grad;                 // meaningful only when has_grad
    bool has_grad = false;
    // grad holds only the +0s zero_grad() wrote, and nothing has been added
    // since: the next weight gradient may be written straight into it.
    bool grad_is_zero = false;
    bool requires_grad = false;
    bool is_leaf = true;
    std::string name;           // optional, for printing the tape
    std::uint64_t id = 0;       // unique per process, for printing

    // Results only: where the op that made this node sits on the tape.
    std::size_t tape_index = 0;
    std::uint64_t tape_generation = 0;  // the tape's generation when recorded
    bool graph_freed = false;           // a backward() already released this node's op
};

class Tensor {
public:
    Tensor() = default;  // an empty handle; defined() is false
    explicit Tensor(Array value, bool requires_grad = false);
    static Tensor scalar(float value, bool requires_grad = false);

    // Used by the tape to make the output of a recorded op.
    static Tensor make_result(Array value);
    // A handle to an existing node (the tape keeps outputs as weak pointers).
    static Tensor from_node(std::shared_ptr<Node> node);

    bool defined() const { return node_ != nullptr; }
    const Array& value() const;
    // Write access for optimizers and initialisers. Do not change a value that
    // a recorded op still needs for its backward.
    Array& mutable_value();
    const Shape& shape() const { return value().shape(); }
    std::size_t dim() const { return value().dimension(); }
    std::size_t size() const { return value().size(); }
    // The single element of a one-element tensor; throws std::invalid_argument otherwise.
    float item() const;

    bool requires_grad() const;
    // Leaves only: results inherit requires_grad from their inputs (std::logic_error).
    Tensor& set_requires_grad(bool on);
    bool is_leaf() const;

    // Gradient of the last backward() with respect to this tensor.
    bool has_grad() const;
    const Array& grad() const;           // std::logic_error if there is none yet
    void zero_grad();                     // keeps the buffer, fills it with 0
    // grad += g (shape-checked): the one way gradients change. The first gradient
    // is moved in, not copied. const because a Tensor is a handle: backward
    // closures hold const copies of their inputs.
    void add_grad(Array g) const;
    // grad += d for a backward whose kernel writes d (this tensor's shape, row-major)
    // into memory itself: write(float* out, bool accumulate) stores d into out, or
    // adds it onto what out holds when accumulate is true (as kernels::gemm does).
    // When the gradient buffer holds only the +0s zero_grad() left (nothing was
    // added since), the kernel adds d straight into it: no array for d, no second
    // pass. That is bit for bit what add_grad(d) gives (+0 + v = v; -0 comes out
    // +0 both ways). Otherwise d is written into a new array and handed to add_grad.
    template <class Write>
    void accumulate_grad(Write write) const {
        if (float* zeros = zeroed_grad_buffer()) {
            write(zeros, true);
            return;
        }
        Array d = Array::from_shape(shape());
        write(d.data(), false);
        add_grad(std::move(d));
    }

    // A new leaf with a copy of the value, cut off from the graph; never requires grad.
    Tensor detach() const;

    const std::string& name() const;
    Tensor& set_name(std::string name);
    std::uint64_t id() const;
    // Name for printing: the user's name, else "t<tape index>" for results, "leaf<id>" for leaves.
    std::string label() const;

    // Reverse sweep from this tensor (see tape.hpp): backward(*this, retain_graph).
    void backward(bool retain_graph = false) const;
    void backward(const Array& seed, bool retain_graph = false) const;

    const std::shared_ptr<Node>& node() const { return node_; }

private:
    Node& get() const;
    // The gradient buffer when zero_grad() filled it with +0 and nothing was added
    // since (the node's grad_is_zero), else nullptr. The caller adds into it, so
    // from then on it no longer counts as zero.
    float* zeroed_grad_buffer() const;
    std::shared_ptr<Node> node_;
};

}  // namespace xgrad
