// blas_info.cpp — OpenBLAS's own report (config, kernel family, threads), the
// processor's vector extensions, and the verdict on whether the two fit.
#include "blas_info.hpp"

#include <cblas.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace xgrad::examples {

namespace {

// OpenBLAS's x86-64 kernel families (the core names of its driver/others/dynamic.c,
// release 0.3.21 and later), by the newest vector extension their sgemm uses.
constexpr std::array<std::string_view, 3> kAvx512Cores = {"SkylakeX", "Cooperlake", "SapphireRapids"};
constexpr std::array<std::string_view, 3> kAvx2Cores = {"Haswell", "Zen", "Excavator"};
constexpr std::array<std::string_view, 20> kOlderCores = {
    "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington", "Nehalem",
    "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Sandybridge", "Bobcat", "Bulldozer", "Piledriver",
    "Steamroller"};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& names, const std::string& core) {
    return std::find(names.begin(), names.end(), core) != names.end();
}

std::string older_text(const std::string& core, const char* extension, const char* coretype) {
    return "OpenBLAS runs its " + core + " kernels, but this processor has " + extension +
           ": try OPENBLAS_CORETYPE=" + coretype + " (see README, Troubleshooting)";
}

}  // namespace

BlasInfo read_blas_info() {
    __builtin_cpu_init();  // needed before __builtin_cpu_supports outside a constructor
    return {openblas_get_config(), openblas_get_corename(), openblas_get_num_threads(),
            __builtin_cpu_supports("avx2") != 0, __builtin_cpu_supports("avx512f") != 0};
}

KernelVerdict judge_kernels(const std::string& core, bool cpu_avx2, bool cpu_avx512f) {
    const bool avx512_core = listed(kAvx512Cores, core), avx2_core = listed(kAvx2Cores, core);
    if (!avx512_core && !avx2_core && !listed(kOlderCores, core))
        return {KernelVerdict::unknown, "kernel family " + core +
                                            " is not one this program knows; it cannot tell whether it matches "
                                            "this processor"};
    if (cpu_avx512f && !avx512_core) return {KernelVerdict::older, older_text(core, "AVX-512", "SkylakeX")};
    if (cpu_avx2 && !avx512_core && !avx2_core) return {KernelVerdict::older, older_text(core, "AVX2", "Haswell")};
    return {KernelVerdict::match, "kernels match this processor"};
}

std::string blas_version(const std::string& config) {
    const std::size_t first = config.find(' ');
    if (first == std::string::npos) return config;
    return config.substr(0, config.find(' ', first + 1));  // npos: the whole string
}

std::string blas_report(const BlasInfo& info) {
    auto yes_no = [](bool b) { return b ? "yes" : "no"; };
    return "OpenBLAS build:  " + info.config + "\n" +
           "kernel family:   " + info.core + "\n" +
           "threads:         " + std::to_string(info.threads) + "\n" +
           "processor:       AVX2 " + yes_no(info.cpu_avx2) + ", AVX-512 " + yes_no(info.cpu_avx512f) + "\n" +
           "verdict:         " + judge_kernels(info.core, info.cpu_avx2, info.cpu_avx512f).text + "\n";
}

std::string blas_start_lines(const BlasInfo& info, const std::string& program) {
    std::string lines = program + ": " + blas_version(info.config) + " (" + info.core + " kernels, " +
                        std::to_string(info.threads) + (info.threads == 1 ? " thread)\n" : " threads)\n");
    const KernelVerdict verdict = judge_kernels(info.core, info.cpu_avx2, info.cpu_avx512f);
    if (verdict.kind == KernelVerdict::older) lines += program + ": " + verdict.text + "\n";
    return lines;
}

void print_blas_start(const std::string& program) {
    std::fputs(blas_start_lines(read_blas_info(), program).c_str(), stderr);
}

}  // namespace xgrad::examples
