// lr_schedule.hpp — learning-rate schedules, as torch.optim.lr_scheduler: call
// step() once per epoch, after that epoch's optimizer steps. Each step multiplies
// the optimizer's current lr (PyTorch's chainable form), so a resumed run only
// needs the optimizer's lr (saved with its state) and last_epoch().
#pragma once

#include "optim.hpp"

namespace xgrad::nn {

class LRScheduler {
public:
    virtual ~LRScheduler() = default;

    // Epoch e ends: last_epoch becomes e + 1 and the optimizer's lr is updated.
    void step();
    // Epochs ended so far (0 right after construction).
    int last_epoch() const { return last_epoch_; }
    // Resume: set the epoch count after restoring the optimizer (whose state
    // carries the lr already decayed). Changes no lr. std::invalid_argument if e < 0.
    void set_last_epoch(int e);
    Optimizer& optimizer() const { return *opt_; }

protected:
    // The optimizer must outlive the schedule.
    explicit LRScheduler(Optimizer& opt) : opt_(&opt) {}
    // The lr for epoch `epoch` (>= 1) given the lr of epoch - 1.
    virtual float next_lr(float lr, int epoch) const = 0;

private:
    Optimizer* opt_;
    int last_epoch_ = 0;
};

// lr = initial lr · gamma^⌊epoch / step_size⌋: every step_size epochs, lr *= gamma.
class StepLR : public LRScheduler {
public:
    // std::invalid_argument "StepLR: step_size must be >= 1, got 0", "StepLR: gamma must be > 0, got -1".
    StepLR(Optimizer& opt, int step_size, float gamma = 0.1f);

protected:
    float next_lr(float lr, int epoch) const override;

private:
    int step_size_;
    float gamma_;
};

// lr = initial lr · gamma^epoch: every epoch, lr *= gamma (the CGAN paper's exponential decay).
class ExponentialLR : public LRScheduler {
public:
    // std::invalid_argument "ExponentialLR: gamma must be > 0, got 0".
    ExponentialLR(Optimizer& opt, float gamma);

protected:
    float next_lr(float lr, int epoch) const override;

private:
    float gamma_;
};

}  // namespace xgrad::nn
