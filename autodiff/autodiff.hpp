// autodiff.hpp — everything of the autodiff core in one include.
#pragma once

#include "allocator.hpp"
#include "gradcheck.hpp"
#include "introspect.hpp"
#include "ops_conv.hpp"
#include "ops_elementwise.hpp"
#include "ops_linalg.hpp"
#include "ops_loss.hpp"
#include "ops_norm.hpp"
#include "ops_pool.hpp"
#include "ops_random.hpp"
#include "ops_reduce.hpp"
#include "ops_shape.hpp"
#include "random.hpp"
#include "shape.hpp"
#include "tape.hpp"
#include "tensor.hpp"
