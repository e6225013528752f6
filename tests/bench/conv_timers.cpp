// conv_timers.cpp — how long the convolution ops spend in kernels::im2col and
// kernels::col2im, measured inside the ops themselves.
//
// bench_conv is linked with `-Wl,--wrap=SYMBOL` for the two functions'
// (mangled) names (tests/bench/meson.build): the linker then sends every call
// that the library's object files make to SYMBOL to __wrap_SYMBOL below
// instead, and __real_SYMBOL names the original. Each wrapper times the call,
// adds it to a total and forwards. The library itself is unchanged; if the
// signatures in autodiff/kernels.hpp change, the link fails (no __real_ symbol)
// rather than silently timing nothing. The strided versions (conv2d's) count as
// im2col and col2im; im2col's own call of im2col_strided, inside kernels.cpp, is
// not an undefined reference there, so --wrap leaves it alone (no double count).
#include "conv_timers.hpp"

#include <atomic>

#include "autodiff/kernels.hpp"
#include "counters.hpp"

namespace {
std::atomic<std::uint64_t> g_ns[2]{{0}, {0}};
std::atomic<std::uint64_t> g_calls[2]{{0}, {0}};

void record(int which, double t0) {
    g_ns[which].fetch_add(std::uint64_t(1e9 * (bench::now_seconds() - t0)), std::memory_order_relaxed);
    g_calls[which].fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

using xgrad::kernels::Window2d;

// xgrad::kernels::im2col(const float*, const Window2d&, float*) and col2im, by their mangled names.
extern "C" {
void __real__ZN5xgrad7kernels6im2colEPKfRKNS0_8Window2dEPf(const float* x, const Window2d& win, float* cols);
void __real__ZN5xgrad7kernels6col2imEPKfRKNS0_8Window2dEPf(const float* cols, const Window2d& win, float* x);

void __wrap__ZN5xgrad7kernels6im2colEPKfRKNS0_8Window2dEPf(const float* x, const Window2d& win, float* cols) {
    const double t0 = bench::now_seconds();
    __real__ZN5xgrad7kernels6im2colEPKfRKNS0_8Window2dEPf(x, win, cols);
    record(0, t0);
}

void __wrap__ZN5xgrad7kernels6col2imEPKfRKNS0_8Window2dEPf(const float* cols, const Window2d& win, float* x) {
    const double t0 = bench::now_seconds();
    __real__ZN5xgrad7kernels6col2imEPKfRKNS0_8Window2dEPf(cols, win, x);
    record(1, t0);
}
// xgrad::kernels::im2col_strided(const float*, const Window2d&, float*, std::size_t) and col2im_strided.
void __real__ZN5xgrad7kernels14im2col_stridedEPKfRKNS0_8Window2dEPfm(const float* x, const Window2d& win, float* cols,
                                                                     std::size_t ld);
void __real__ZN5xgrad7kernels14col2im_stridedEPKfRKNS0_8Window2dEPfm(const float* cols, const Window2d& win, float* x,
                                                                     std::size_t ld);

void __wrap__ZN5xgrad7kernels14im2col_stridedEPKfRKNS0_8Window2dEPfm(const float* x, const Window2d& win, float* cols,
                                                                     std::size_t ld) {
    const double t0 = bench::now_seconds();
    __real__ZN5xgrad7kernels14im2col_stridedEPKfRKNS0_8Window2dEPfm(x, win, cols, ld);
    record(0, t0);
}

void __wrap__ZN5xgrad7kernels14col2im_stridedEPKfRKNS0_8Window2dEPfm(const float* cols, const Window2d& win, float* x,
                                                                     std::size_t ld) {
    const double t0 = bench::now_seconds();
    __real__ZN5xgrad7kernels14col2im_stridedEPKfRKNS0_8Window2dEPfm(cols, win, x, ld);
    record(1, t0);
}
}  // extern "C"

namespace bench {

double im2col_seconds() { return 1e-9 * double(g_ns[0].load(std::memory_order_relaxed)); }
double col2im_seconds() { return 1e-9 * double(g_ns[1].load(std::memory_order_relaxed)); }
std::uint64_t im2col_calls() { return g_calls[0].load(std::memory_order_relaxed); }
std::uint64_t col2im_calls() { return g_calls[1].load(std::memory_order_relaxed); }

}  // namespace bench
