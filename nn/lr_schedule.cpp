// lr_schedule.cpp — StepLR and ExponentialLR: each epoch, one multiplication of the optimizer's lr.
#include "lr_schedule.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "number_text.hpp"

namespace xgrad::nn {

namespace {
// gamma itself if it is > 0 and finite; std::invalid_argument naming `who` if not.
float checked_gamma(const char* who, float gamma) {
    if (!(gamma > 0.0f && std::isfinite(gamma)))
        throw std::invalid_argument(std::string(who) + ": gamma must be > 0, got " + float_text(gamma));
    return gamma;
}
}  // namespace

void LRScheduler::step() {
    ++last_epoch_;
    opt_->set_lr(next_lr(opt_->lr(), last_epoch_));
}

void LRScheduler::set_last_epoch(int e) {
    if (e < 0) throw std::invalid_argument("set_last_epoch: epoch must be >= 0, got " + std::to_string(e));
    last_epoch_ = e;
}

StepLR::StepLR(Optimizer& opt, int step_size, float gamma)
    : LRScheduler(opt), step_size_(step_size), gamma_(checked_gamma("StepLR", gamma)) {
    if (step_size < 1) throw std::invalid_argument("StepLR: step_size must be >= 1, got " + std::to_string(step_size));
}

// Epochs step_size, 2·step_size, ... start with a lr gamma times smaller.
float StepLR::next_lr(float lr, int epoch) const { return epoch % step_size_ == 0 ? lr * gamma_ : lr; }

ExponentialLR::ExponentialLR(Optimizer& opt, float gamma)
    : LRScheduler(opt), gamma_(checked_gamma("ExponentialLR", gamma)) {}

float ExponentialLR::next_lr(float lr, int) const { return lr * gamma_; }

}  // namespace xgrad::nn
