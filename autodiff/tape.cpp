// tape.cpp — recording ops and the reverse sweep.
#include "tape.hpp"

#include <algorithm>
#include <stdexcept>

namespace xgrad {

namespace {
thread_local bool g_grad_enabled = true;
}

Tape& Tape::current() {
    thread_local Tape tape;
    return tape;
}

bool grad_enabled() { return g_grad_enabled; }
NoGrad::NoGrad() {
    // TASK 3: remember in previous_ whether recording is on (the destructor puts it back), then switch it off
    previous_ = g_grad_enabled;
    g_grad_enabled = false;
    // END TASK 3
}
NoGrad::~NoGrad() { g_grad_enabled = previous_; }

void Tape::clear() {
    entries_.clear();  // keeps the vector's capacity for the next step
    live_ = 0;
    ++generation_;
}

void clear_tape() { Tape::current().clear(); }

Tensor Tape::push(const char* op, Array value, std::vector<Tensor> inputs, BackwardFn backward) {
    Tensor out = Tensor::make_result(std::move(value));
    Node& n = *out.node();
    n.tape_index = entries_.size();
    n.tape_generation = generation_;
    entries_.push_back(TapeEntry{op, std::move(inputs), out.node(), std::move(backward), false});
    ++live_;
    return out;
}

Tensor record(const char* op, Array value, std::vector<Tensor> inputs, BackwardFn backward) {
    // TASK 3: push the op onto the current tape only if recording is on and some input requires grad; else a constant
    const bool needs_grad =
        grad_enabled() && std::any_of(inputs.begin(), inputs.end(), [](const Tensor& t) { return t.requires_grad(); });
    if (!needs_grad) return Tensor(std::move(value));
    return Tape::current().push(op, std::move(value), std::move(inputs), std::move(backward));
    // END TASK 3
}

void Tape::release(TapeEntry& e) {
    if (auto node = e.output.lock()) node->graph_freed = true;
    e.inputs.clear();
    e.output.reset();
    e.backward = nullptr;
    e.freed = true;
    --live_;
}

namespace {
// Can gradient still flow through the op that made `t`? Leaves always can.
void check_walkable(const Tensor& t, std::uint64_t generation) {
    const Node& n = *t.node();
    if (n.is_leaf) return;
    if (n.graph_freed)
        throw std::logic_error("backward: the graph behind " + t.label() +
                               " was already freed by an earlier backward(); pass retain_graph = true to the "
                               "first backward() to walk it twice, or run the forward pass again");
    if (n.tape_generation != generation)
        throw std::logic_error("backward: " + t.label() +
                               " was recorded on a tape that has since been cleared; run the forward pass "
                               "again before calling backward()");
}
}  // namespace

void Tape::run_backward(const Tensor& root, const Array& seed, bool retain_graph) {
    if (!root.requires_grad())
        throw std::logic_error("backward: " + root.label() +
                               " does not require grad (no input of it requires grad, or it was computed "
                               "under NoGrad), so there is nothing to differentiate");
    if (seed.shape() != root.shape())
        throw std::invalid_argument("backward: seed gradient of shape " + shape_str(seed.shape()) + " for " +
                                    root.label() + " of shape " + shape_str(root.shape()));
    check_walkable(root, generation_);
    if (root.is_leaf()) {
        root.add_grad(seed);
        return;
    }
    // Results hold the gradient of the latest sweep only (leaves accumulate):
    // forget what an earlier retain_graph sweep left on them.
    const std::size_t start = root.node()->tape_index;
    for (std::size_t i = 0; i <= start; ++i)
        if (auto node = entries_[i].output.lock(); node && !entries_[i].freed) node->has_grad = false;
    root.add_grad(seed);

    // Tape order is a topological order: every input was recorded before the
    // op that reads it, so walking backwards visits each op after all its users.
    // TASK 3: from entry `start` down to 0, call each live entry's backward with its output's grad and value
    for (std::size_t i = start + 1; i-- > 0;) {
        TapeEntry& e = entries_[i];
        if (e.freed) continue;
        const Tensor out = e.output_tensor();
        if (!out.defined() || !out.has_grad()) continue;  // not on a path to root
        for (const Tensor& in : e.inputs)
            if (in.requires_grad()) check_walkable(in, generation_);
        e.backward(out.grad(), out.value());
    }
    // END TASK 3
    if (retain_graph) return;
    // Release what this sweep walked, and every entry whose output was dropped.
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        TapeEntry& e = entries_[i];
        if (e.freed) continue;
        const Tensor out = e.output_tensor();
        if (!out.defined() || out.has_grad()) release(e);
    }
    if (live_ == 0) clear();
}

void backward(const Tensor& y, const Array& seed, bool retain_graph) {
    Tape::current().run_backward(y, seed, retain_graph);
}

void backward(const Tensor& loss, bool retain_graph) {
    if (loss.size() != 1)
        throw std::logic_error("backward: " + loss.label() + " has shape " + shape_str(loss.shape()) +
                               "; only a one-element loss gets the implicit seed 1 — pass a seed gradient of "
                               "the same shape: backward(y, seed)");
    backward(loss, xt::ones<float>(loss.shape()), retain_graph);
}

void Tensor::backward(bool retain_graph) const { xgrad::backward(*this, retain_graph); }
void Tensor::backward(const Array& seed, bool retain_graph) const { xgrad::backward(*this, seed, retain_graph); }

}  // namespace xgrad
