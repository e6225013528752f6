// test_blas_info.cpp — examples/common/blas_info.cpp: the verdict on OpenBLAS's
// kernel family against the processor's vector extensions (a table of cases), the
// version and start lines, and the live report naming the core OpenBLAS runs.
#include "check.hpp"

#include <cblas.h>

#include <string>

#include "examples/common/blas_info.hpp"

using namespace xgrad::examples;

TEST_CASE("judge_kernels: older kernels than the processor supports get a suggestion") {
    struct Case {
        const char* core;
        bool avx2, avx512f;
        KernelVerdict::Kind kind;
        const char* text;
    };
    const char* const match = "kernels match this processor";
    const Case cases[] = {
        // An AVX-512 processor: anything but an AVX-512 family is older.
        {"Prescott", true, true, KernelVerdict::older,
         "OpenBLAS runs its Prescott kernels, but this processor has AVX-512: try OPENBLAS_CORETYPE=SkylakeX "
         "(see README, Troubleshooting)"},
        {"Haswell", true, true, KernelVerdict::older,
         "OpenBLAS runs its Haswell kernels, but this processor has AVX-512: try OPENBLAS_CORETYPE=SkylakeX "
         "(see README, Troubleshooting)"},
        {"Zen", true, true, KernelVerdict::older,
         "OpenBLAS runs its Zen kernels, but this processor has AVX-512: try OPENBLAS_CORETYPE=SkylakeX "
         "(see README, Troubleshooting)"},
        {"SkylakeX", true, true, KernelVerdict::match, match},
        {"Cooperlake", true, true, KernelVerdict::match, match},
        {"SapphireRapids", true, true, KernelVerdict::match, match},
        // An AVX2 processor: the families before Haswell are older.
        {"Core2", true, false, KernelVerdict::older,
         "OpenBLAS runs its Core2 kernels, but this processor has AVX2: try OPENBLAS_CORETYPE=Haswell "
         "(see README, Troubleshooting)"},
        {"Nehalem", true, false, KernelVerdict::older,
         "OpenBLAS runs its Nehalem kernels, but this processor has AVX2: try OPENBLAS_CORETYPE=Haswell "
         "(see README, Troubleshooting)"},
        {"Sandybridge", true, false, KernelVerdict::older,
         "OpenBLAS runs its Sandybridge kernels, but this processor has AVX2: try OPENBLAS_CORETYPE=Haswell "
         "(see README, Troubleshooting)"},
        {"Haswell", true, false, KernelVerdict::match, match},
        {"Zen", true, false, KernelVerdict::match, match},
        // A processor without AVX2: an old family is all it can run.
        {"Prescott", false, false, KernelVerdict::match, match},
        {"Sandybridge", false, false, KernelVerdict::match, match},
        // A name outside OpenBLAS's list: no suggestion, but said.
        {"Foo9000", true, true, KernelVerdict::unknown,
         "kernel family Foo9000 is not one this program knows; it cannot tell whether it matches this processor"},
        {"", true, false, KernelVerdict::unknown,
         "kernel family  is not one this program knows; it cannot tell whether it matches this processor"},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.core) << " avx2=" << c.avx2 << " avx512f=" << c.avx512f);
        const KernelVerdict v = judge_kernels(c.core, c.avx2, c.avx512f);
        CHECK(v.kind == c.kind);
        CHECK(v.text == c.text);
    }
}

TEST_CASE("the start lines: the build and kernels, and the suggestion only when older") {
    CHECK(blas_version("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64") ==
          "OpenBLAS 0.3.21");
    CHECK(blas_version("OpenBLAS 0.3.21") == "OpenBLAS 0.3.21");
    CHECK(blas_version("OpenBLAS") == "OpenBLAS");
    const BlasInfo fits{"OpenBLAS 0.3.21 DYNAMIC_ARCH Cooperlake", "Cooperlake", 2, true, true};
    CHECK(blas_start_lines(fits, "gan_mnist") == "gan_mnist: OpenBLAS 0.3.21 (Cooperlake kernels, 2 threads)\n");
    const BlasInfo old{"OpenBLAS 0.3.21 DYNAMIC_ARCH Prescott", "Prescott", 1, true, true};
    CHECK(blas_start_lines(old, "evaluate") ==
          "evaluate: OpenBLAS 0.3.21 (Prescott kernels, 1 thread)\n"
          "evaluate: OpenBLAS runs its Prescott kernels, but this processor has AVX-512: try "
          "OPENBLAS_CORETYPE=SkylakeX (see README, Troubleshooting)\n");
    CHECK(blas_report(old) ==
          "OpenBLAS build:  OpenBLAS 0.3.21 DYNAMIC_ARCH Prescott\n"
          "kernel family:   Prescott\n"
          "threads:         1\n"
          "processor:       AVX2 yes, AVX-512 yes\n"
          "verdict:         OpenBLAS runs its Prescott kernels, but this processor has AVX-512: try "
          "OPENBLAS_CORETYPE=SkylakeX (see README, Troubleshooting)\n");
}

TEST_CASE("the live report names the core OpenBLAS runs") {
    const BlasInfo info = read_blas_info();
    CHECK(info.core == std::string(openblas_get_corename()));
    CHECK(info.config == std::string(openblas_get_config()));
    CHECK(info.threads == openblas_get_num_threads());
    const std::string report = blas_report(info);
    CHECK(report.find("kernel family:   " + std::string(openblas_get_corename()) + "\n") != std::string::npos);
    CHECK(report.find("OpenBLAS build:  " + std::string(openblas_get_config()) + "\n") != std::string::npos);
}
