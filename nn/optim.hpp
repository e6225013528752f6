// optim.hpp — optimizers over named parameters, as torch.optim: SGD (momentum,
// Nesterov, weight decay) and Adam. step() updates every parameter in place with
// one flat loop over its value and gradient (llm.c style), without recording.
// Their state (momentum buffers, Adam moments) is saveable, so a resumed run continues bit-exactly.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "module.hpp"

namespace xgrad::nn {

class Optimizer {
public:
    // The state of one parameter by slot name ("exp_avg", "momentum_buffer", ...),
    // as PyTorch's optimizer.state[p]. Empty until the parameter's first update.
    using ParamState = std::map<std::string, Array>;

    virtual ~Optimizer() = default;

    // Apply one update to every parameter that requires grad and has a gradient;
    // frozen parameters (requires_grad false) and parameters without a gradient
    // are left alone, their state untouched. Records nothing on the tape.
    void step();
    // Zero every parameter's gradient (the buffers are kept for the next backward).
    void zero_grad();

    float lr() const { return lr_; }
    void set_lr(float lr);                        // std::invalid_argument unless lr >= 0
    std::int64_t step_count() const { return step_count_; }  // calls of step() so far
    const char* name() const { return name_; }    // "SGD", "Adam"
    const NamedTensors& params() const { return params_; }

    // The optimizer's state as tensors named "<slot>.<parameter name>", e.g.
    // "exp_avg.gen.fc1.weight", "momentum_buffer.fc.bias" (copies; parameters
    // that have not been updated yet have none). Together with step_count() and
    // lr() it is everything needed to resume.
    NamedTensors state() const;
    // Restore what state(), step_count() and lr() returned. Everything is checked
    // first (names, shapes, counts) and nothing changes if a check fails:
    // std::invalid_argument "Adam: shape mismatch for exp_avg.fc.weight: state (3,), parameter (2,)".
    void load_state(const NamedTensors& state, std::int64_t step_count, float lr);
    // Only the checks of load_state (a checkpoint validates everything before it changes anything).
    void check_state(const NamedTensors& state, std::int64_t step_count, float lr) const;

protected:
    // params: e.g. module.named_parameters(). Each tensor once, each name once.
    Optimizer(const char* name, NamedTensors params, float lr);
    // Unnamed parameters are named "0", "1", ... in order.
    Optimizer(const char* name, const std::vector<Tensor>& params, float lr);

    // One slot of per-parameter state: shaped like the parameter, or (is_count)
    // a float32 scalar counting the parameter's updates, as PyTorch stores Adam's "step".
    struct Slot {
        std::string name;
        bool is_count = false;
    };
    // The slots this optimizer keeps for each parameter it has updated.
    virtual std::vector<Slot> slots() const = 0;
    // Update one parameter in place from its gradient; st is its state (empty on the first update).
    virtual void update(Tensor& p, ParamState& st) = 0;

private:
    const char* name_;
    NamedTensors params_;
    std::vector<ParamState> state_;  // state_[i] belongs to params_[i]
    float lr_;
    std::int64_t step_count_ = 0;
};

// SGD as torch.optim.SGD. With g = grad + weight_decay·w:
//   momentum 0:  w -= lr·g
//   otherwise:   buf = g on the first step, then buf = momentum·buf + (1 - dampening)·g
//                w -= lr·(g + momentum·buf) with nesterov, w -= lr·buf without
struct SGDOptions {
    float lr = 0.01f;
    float momentum = 0.0f;
    float dampening = 0.0f;
    bool nesterov = false;
    float weight_decay = 0.0f;
};

class SGD : public Optimizer {
public:
    // std::invalid_argument for bad options, e.g.
    // "SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0".
    SGD(NamedTensors params, SGDOptions options);
    SGD(const std::vector<Tensor>& params, SGDOptions options);
    const SGDOptions& options() const { return opt_; }

protected:
    std::vector<Slot> slots() const override;
    void update(Tensor& p, ParamState& st) override;

private:
    SGDOptions opt_;
};

// Adam as torch.optim.Adam (Kingma & Ba 2015, with PyTorch's placement of eps).
// With g = grad + weight_decay·w and t = this parameter's update count (1, 2, ...):
//   m = β1·m + (1 - β1)·g          v = β2·v + (1 - β2)·g²         (both start at 0)
//   w -= lr/(1 - β1^t) · m / (√v / √(1 - β2^t) + eps)
struct AdamOptions {
    float lr = 1e-3f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;
    float weight_decay = 0.0f;
};

class Adam : public Optimizer {
public:
    // std::invalid_argument for bad options, e.g. "Adam: beta1 must be in [0, 1), got 1.5".
    Adam(NamedTensors params, AdamOptions options = {});
    Adam(const std::vector<Tensor>& params, AdamOptions options = {});
    const AdamOptions& options() const { return opt_; }

protected:
    std::vector<Slot> slots() const override;
    void update(Tensor& p, ParamState& st) override;

private:
    AdamOptions opt_;
};

}  // namespace xgrad::nn
