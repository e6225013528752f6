// counters.cpp — counting mallocs and sgemm calls by replacing the functions in
// the benchmark program itself.
//
// malloc: glibc lets a program define its own malloc, free, calloc, realloc (and
// the aligned ones); every call in the process, from libstdc++'s operator new,
// xtensor, OpenBLAS or xgrad's CachingAllocator, then lands here. Each one
// counts and hands the work to glibc's own allocator through its exported
// __libc_* entry points. ("Replacing malloc", The GNU C Library manual.)
//
// cblas_sgemm: a function defined in the executable wins over the one in the
// shared libopenblas, so xgrad's matmul and linear call this one, which counts,
// times and forwards to OpenBLAS's (found with dlsym(RTLD_NEXT, ...)).
#include "counters.hpp"

#include <cblas.h>
#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

// Under AddressSanitizer the sanitizer owns malloc (it must see every block), so
// the benchmarks then count no mallocs (malloc_counting() says so).
#if defined(__SANITIZE_ADDRESS__)
#define BENCH_COUNT_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_COUNT_MALLOC 0
#endif
#endif
#ifndef BENCH_COUNT_MALLOC
#define BENCH_COUNT_MALLOC 1
#endif

extern "C" {
#if BENCH_COUNT_MALLOC
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* p);
#endif
}

namespace {
std::atomic<std::uint64_t> g_mallocs{0};
std::atomic<std::uint64_t> g_sgemm_calls{0};
std::atomic<std::uint64_t> g_sgemm_flops{0};
std::atomic<std::uint64_t> g_sgemm_ns{0};

#if BENCH_COUNT_MALLOC
void count_malloc() { g_mallocs.fetch_add(1, std::memory_order_relaxed); }
#endif
}  // namespace

extern "C" {

#if BENCH_COUNT_MALLOC
void* malloc(std::size_t size) noexcept {
    count_malloc();
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
    count_malloc();
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) noexcept {
    count_malloc();
    return __libc_realloc(p, size);
}
void free(void* p) noexcept { __libc_free(p); }
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    count_malloc();
    return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
    count_malloc();
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    count_malloc();
    void* p = __libc_memalign(alignment, size);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}
#endif  // BENCH_COUNT_MALLOC

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE trans_a,
                 const enum CBLAS_TRANSPOSE trans_b, const blasint m, const blasint n, const blasint k,
                 const float alpha, const float* a, const blasint lda, const float* b, const blasint ldb,
                 const float beta, float* c, const blasint ldc) {
    using Sgemm = void (*)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint, blasint, blasint,
                           float, const float*, blasint, const float*, blasint, float, float*, blasint);
    static const Sgemm openblas_sgemm = [] {
        void* f = dlsym(RTLD_NEXT, "cblas_sgemm");
        if (f == nullptr) {
            std::fprintf(stderr, "counters: cblas_sgemm not found in the libraries after the program\n");
            std::abort();
        }
        return reinterpret_cast<Sgemm>(f);
    }();
    g_sgemm_calls.fetch_add(1, std::memory_order_relaxed);
    g_sgemm_flops.fetch_add(2 * std::uint64_t(m) * std::uint64_t(n) * std::uint64_t(k), std::memory_order_relaxed);
    const double t0 = bench::now_seconds();
    openblas_sgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    g_sgemm_ns.fetch_add(std::uint64_t(1e9 * (bench::now_seconds() - t0)), std::memory_order_relaxed);
}

}  // extern "C"

namespace bench {

bool malloc_counting() { return BENCH_COUNT_MALLOC != 0; }
std::uint64_t malloc_calls() { return g_mallocs.load(std::memory_order_relaxed); }
std::uint64_t sgemm_calls() { return g_sgemm_calls.load(std::memory_order_relaxed); }
std::uint64_t sgemm_flops() { return g_sgemm_flops.load(std::memory_order_relaxed); }
double sgemm_seconds() { return 1e-9 * double(g_sgemm_ns.load(std::memory_order_relaxed)); }

double current_rss_mib() {
    // /proc/self/statm: total program size, then resident pages.
    long pages = 0, resident = 0;
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        std::fclose(f);
    }
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace bench
