// counters.hpp — what the benchmarks count besides time: every malloc of the
// process, every sgemm that reaches OpenBLAS (and its FLOPs), resident memory.
// Linking counters.cpp into a program replaces malloc and cblas_sgemm for that
// program only (see counters.cpp for how); the library itself is unchanged.
#pragma once

#include <time.h>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace bench {

// Calls of malloc, calloc, realloc and the aligned allocators since the program
// started; always 0 when malloc_counting() is false (an AddressSanitizer build).
bool malloc_counting();
std::uint64_t malloc_calls();

// cblas_sgemm calls since the program started, and their FLOPs: 2·m·n·k each
// (one multiply and one add per term of every dot product; beta·C not counted).
std::uint64_t sgemm_calls();
std::uint64_t sgemm_flops();
// Wall-clock seconds spent inside those calls (measured around each one, on the calling thread).
double sgemm_seconds();

// Resident memory now, and the peak so far (getrusage's ru_maxrss), in MiB.
double current_rss_mib();
double peak_rss_mib();

// Wall-clock seconds since an arbitrary start (steady clock).
inline double now_seconds() {
    using clock = std::chrono::steady_clock;
    return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

// CPU seconds used by the whole process (all its threads) so far. With one thread
// it is the program's own work, whatever else the machine runs: on a loaded machine
// it moves far less than wall-clock time (which also counts the time spent waiting
// for a core).
inline double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

}  // namespace bench
