// tensor.cpp — the Tensor handle: values, gradients, naming.
#include "tensor.hpp"

#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace xgrad {

namespace {
std::uint64_t next_id() {
    static std::atomic<std::uint64_t> counter{0};
    return counter++;
}
}  // namespace

Tensor::Tensor(Array value, bool requires_grad) : node_(std::make_shared<Node>()) {
    node_->value = std::move(value);
    node_->requires_grad = requires_grad;
    node_->id = next_id();
}

Tensor Tensor::scalar(float value, bool requires_grad) { return Tensor(Array(value), requires_grad); }

Tensor Tensor::make_result(Array value) {
    Tensor t(std::move(value), true);
    t.node_->is_leaf = false;
    return t;
}

Tensor Tensor::from_node(std::shared_ptr<Node> node) {
    Tensor t;
    t.node_ = std::move(node);
    return t;
}

Node& Tensor::get() const {
    if (!node_) throw std::logic_error("Tensor: this handle is empty (default-constructed); assign a tensor to it first");
    return *node_;
}

const Array& Tensor::value() const { return get().value; }
Array& Tensor::mutable_value() { return get().value; }

float Tensor::item() const {
    const Array& v = value();
    if (v.size() != 1)
        throw std::invalid_argument("item: tensor of shape " + shape_str(v.shape()) + " has " +
                                    std::to_string(v.size()) + " elements; item() needs exactly one");
    return v.data()[0];
}

bool Tensor::requires_grad() const { return get().requires_grad; }

Tensor& Tensor::set_requires_grad(bool on) {
    if (!get().is_leaf)
        throw std::logic_error("set_requires_grad: " + label() +
                               " is the result of an op; only leaves (inputs, parameters) can change it — "
                               "use detach() to get a leaf");
    node_->requires_grad = on;
    return *this;
}

bool Tensor::is_leaf() const { return get().is_leaf; }
bool Tensor::has_grad() const { return get().has_grad; }

const Array& Tensor::grad() const {
    if (!get().has_grad)
        throw std::logic_error("grad: " + label() +
                               " has no gradient yet; call backward() on a result computed from it");
    return node_->grad;
}

void Tensor::zero_grad() {
    Node& n = get();
    if (!n.has_grad) return;
    n.grad.fill(0.0f);
    n.grad_is_zero = true;  // remembered, so that no one has to read the buffer to know it
}

void Tensor::add_grad(Array g) const {
    Node& n = get();
    if (g.shape() != n.value.shape())
        throw std::logic_error("add_grad: gradient of shape " + shape_str(g.shape()) + " for " + label() +
                               " of shape " + shape_str(n.value.shape()) +
                               " (a backward function returned the wrong shape)");
    if (n.has_grad && n.grad.shape() != g.shape())
        throw std::logic_error("add_grad: " + label() + " holds a gradient of shape " + shape_str(n.grad.shape()) +
                               " from before its value was replaced; its new gradient has shape " +
                               shape_str(g.shape()) + " (make a new tensor instead of replacing the value)");
    n.grad_is_zero = false;  // from here on it holds g
    // TASK 3: accumulate: grad += g if a gradient is there already, else g becomes the gradient (set has_grad)
    if (n.has_grad) {  // grad += g, one loop
        float* acc = n.grad.data();
        const float* add = g.data();
        for (std::size_t i = 0; i < g.size(); ++i) acc[i] += add[i];
    } else {
        n.grad = std::move(g);
        n.has_grad = true;
    }
    // END TASK 3
}

// zero_grad() set grad_is_zero when it wrote the zeros, and every write since
// (add_grad, or a kernel given this buffer) cleared it: the flag answers without
// reading the buffer, which for a weight is megabytes.
float* Tensor::zeroed_grad_buffer() const {
    Node& n = get();
    if (!n.has_grad || !n.grad_is_zero || n.grad.shape() != n.value.shape()) return nullptr;
    n.grad_is_zero = false;  // the caller adds into it
    return n.grad.data();
}

Tensor Tensor::detach() const {
    // TASK 3: a new leaf with the same value that does not require grad: nothing flows back through it
    return Tensor(value(), false);
    // END TASK 3
}

const std::string& Tensor::name() const { return get().name; }

Tensor& Tensor::set_name(std::string name) {
    get().name = std::move(name);
    return *this;
}

std::uint64_t Tensor::id() const { return get().id; }

std::string Tensor::label() const {
    const Node& n = get();
    if (!n.name.empty()) return n.name;
    if (!n.is_leaf) return "t" + std::to_string(n.tape_index);
    return "leaf" + std::to_string(n.id);
}

}  // namespace xgrad
