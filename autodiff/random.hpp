// random.hpp — Generator: the one source of random numbers, owned and seeded by
// the caller. Same seed => the same stream on every machine and compiler: the
// engine (std::mt19937_64) is fixed by the C++ standard, and the distributions
// below are written out here instead of using std::*_distribution, whose
// algorithms differ between standard libraries.
#pragma once

#include <cstdint>
#include <random>

#include "shape.hpp"

namespace xgrad {

class Generator {
public:
    explicit Generator(std::uint64_t seed = 0) : engine_(seed) {}

    std::uint64_t next_u64() { return engine_(); }
    // Uniform in [0, 1), 24 random bits (every float32 step in that range).
    float uniform() { return static_cast<float>(engine_() >> 40) * 0x1.0p-24f; }
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
    // Standard normal by the Box–Muller transform (pairs; the second is kept).
    float normal();
    float normal(float mean, float stddev) { return mean + stddev * normal(); }
    // Uniform integer in [0, n), without modulo bias.
    std::uint64_t randint(std::uint64_t n);
    bool bernoulli(float p) { return uniform() < p; }

    // Arrays of draws.
    Array uniform_array(const Shape& shape, float lo = 0.0f, float hi = 1.0f);
    Array normal_array(const Shape& shape, float mean = 0.0f, float stddev = 1.0f);

    // The full state, for checkpoints: the engine's text form plus the cached normal.
    std::string state() const;
    void set_state(const std::string& state);

private:
    std::mt19937_64 engine_;
    bool has_spare_ = false;
    float spare_ = 0.0f;
};

}  // namespace xgrad
