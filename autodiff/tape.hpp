// tape.hpp — the tape (a Wengert list): every op that needs a gradient appends
// one entry, in execution order, so the list is already a topological order.
// backward() walks it in reverse, once, iteratively, and accumulates with +=.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "tensor.hpp"

namespace xgrad {

// The backward of one op. g = dLoss/dy, y = the op's output value. It adds
// each input's share to that input with input.add_grad(...), skipping inputs
// that do not require a gradient.
using BackwardFn = std::function<void(const Array& g, const Array& y)>;

struct TapeEntry {
    const char* op = "";
    std::vector<Tensor> inputs;   // kept for printing; the closure saves what it needs itself
    // Held weakly: a result nobody holds any more (the user dropped it and no
    // later op read it) can never receive a gradient, so its entry is dead and
    // the next backward() releases it instead of keeping it on the tape.
    std::weak_ptr<Node> output;
    BackwardFn backward;
    bool freed = false;           // a backward() has run and released inputs, output, closure

    // The output as a Tensor, or an empty handle if it was dropped.
    Tensor output_tensor() const { return Tensor::from_node(output.lock()); }
};

class Tape {
public:
    // The tape ops record onto (one per thread).
    static Tape& current();

    const std::vector<TapeEntry>& entries() const { return entries_; }
    std::size_t size() const { return entries_.size(); }
    // Entries not yet released by a backward() (dropped outputs included until then).
    std::size_t live() const { return live_; }
    std::uint64_t generation() const { return generation_; }

    // Forget every entry (their memory is kept for the next step). Tensors
    // recorded before can no longer be backpropagated through.
    void clear();

    // Append an op. Called by record(); not usually called directly.
    Tensor push(const char* op, Array value, std::vector<Tensor> inputs, BackwardFn backward);

    // Reverse sweep from root (see backward() below).
    void run_backward(const Tensor& root, const Array& seed, bool retain_graph);

private:
    void release(TapeEntry& e);
    std::vector<TapeEntry> entries_;
    std::size_t live_ = 0;
    std::uint64_t generation_ = 0;
};

// Is recording on? (Off inside a NoGrad scope.)
bool grad_enabled();

// RAII guard: no op records anything while it lives (evaluation, sampling,
// optimizer updates). Guards nest; the previous state comes back on exit.
class NoGrad {
public:
    NoGrad();
    ~NoGrad();
    NoGrad(const NoGrad&) = delete;
    NoGrad& operator=(const NoGrad&) = delete;

private:
    bool previous_;
};

// How every op ends: if recording is on and some input requires a gradient,
// put the op on the tape and return its output (a result that requires grad);
// otherwise return a plain constant and record nothing.
Tensor record(const char* op, Array value, std::vector<Tensor> inputs, BackwardFn backward);

// backward(loss): seed dloss/dloss = 1 and walk the tape in reverse. loss must
// have one element; for any other shape pass the seed gradient explicitly.
// Gradients accumulate into .grad of every tensor that requires grad (leaves
// keep accumulating across calls until zero_grad()). Unless retain_graph, the
// entries walked are released; when no live entry is left the tape is reset.
void backward(const Tensor& loss, bool retain_graph = false);
void backward(const Tensor& y, const Array& seed, bool retain_graph = false);

// Shorthand for Tape::current().clear().
void clear_tape();

}  // namespace xgrad
