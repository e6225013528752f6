// conv_timers.hpp — time spent inside kernels::im2col and kernels::col2im (and
// how many calls), counted in conv_timers.cpp, which bench_conv is linked with.
#pragma once

#include <cstdint>

namespace bench {

double im2col_seconds();
double col2im_seconds();
std::uint64_t im2col_calls();
std::uint64_t col2im_calls();

}  // namespace bench
