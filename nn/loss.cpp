// loss.cpp — the loss modules are one line each (loss.hpp); only the label
// smoothing check of CrossEntropyLoss lives here.
#include "loss.hpp"

#include <sstream>
#include <stdexcept>

namespace xgrad::nn {

CrossEntropyLoss::CrossEntropyLoss(Reduction reduction, float label_smoothing)
    : reduction_(reduction), label_smoothing_(label_smoothing) {
    if (!(label_smoothing >= 0.0f && label_smoothing <= 1.0f)) {  // also rejects NaN
        std::ostringstream msg;
        msg << "CrossEntropyLoss: label_smoothing must be in [0, 1], got " << label_smoothing;
        throw std::invalid_argument(msg.str());
    }
}

}  // namespace xgrad::nn
