// blas_info.hpp — which OpenBLAS the programs run, and whether its kernels fit the
// processor. Debian's OpenBLAS picks its kernels at start from the processor it finds;
// a processor newer than the library gets an older family (e.g. "Prescott", plain SSE3)
// that runs sgemm several times slower. The programs say which family runs, and
// suggest OPENBLAS_CORETYPE when a better one fits; they never set it themselves.
#pragma once

#include <string>

namespace xgrad::examples {

// What OpenBLAS and the processor report at run time.
struct BlasInfo {
    std::string config;    // openblas_get_config(): "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..."
    std::string core;      // openblas_get_corename(): the kernel family, e.g. "Cooperlake"
    int threads = 0;       // openblas_get_num_threads()
    bool cpu_avx2 = false;     // the processor supports AVX2
    bool cpu_avx512f = false;  // ... and AVX-512 (foundation)
};
BlasInfo read_blas_info();

// Whether the kernel family `core` is older than the processor supports. The answer
// depends on these three values only (a pure function, tested on a table).
struct KernelVerdict {
    enum Kind { match, older, unknown } kind = match;
    // older: "OpenBLAS runs its Prescott kernels, but this processor has AVX-512: try
    // OPENBLAS_CORETYPE=SkylakeX (see README, Troubleshooting)"; match: "kernels match
    // this processor"; unknown: says the core name is not one this program knows.
    std::string text;
};
KernelVerdict judge_kernels(const std::string& core, bool cpu_avx2, bool cpu_avx512f);

// "OpenBLAS 0.3.21" from the config string (its first two words).
std::string blas_version(const std::string& config);

// The full report --blas-info prints: config, core, threads, the processor's vector
// extensions, and the verdict. Ends with a newline.
std::string blas_report(const BlasInfo& info);

// The line each program prints on stderr as its work starts, e.g.
// "gan_mnist: OpenBLAS 0.3.21 (Cooperlake kernels, 2 threads)", and under it
// "gan_mnist: " + the verdict's text when the kernels are older than the processor.
std::string blas_start_lines(const BlasInfo& info, const std::string& program);
void print_blas_start(const std::string& program);  // read_blas_info(), the lines above on stderr

}  // namespace xgrad::examples
