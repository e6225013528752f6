// nn.hpp — the whole nn layer (and the autodiff core) in one include.
#pragma once

#include "../autodiff/autodiff.hpp"
#include "activation.hpp"
#include "atomic_file.hpp"
#include "batchnorm.hpp"
#include "checkpoint.hpp"
#include "dropout.hpp"
#include "embedding.hpp"
#include "init.hpp"
#include "linear.hpp"
#include "loss.hpp"
#include "lr_schedule.hpp"
#include "maxout.hpp"
#include "module.hpp"
#include "optim.hpp"
#include "regular_file.hpp"
#include "sequential.hpp"
