// random.cpp — distributions written out, so a seed means the same numbers everywhere.
#include "random.hpp"

#include <cmath>
#include <numbers>
#include <sstream>
#include <stdexcept>

namespace xgrad {

float Generator::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    // u1 in (0, 1] so log(u1) is finite; computed in double for accuracy.
    const double u1 = 1.0 - static_cast<double>(engine_() >> 11) * 0x1.0p-53;
    const double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    spare_ = static_cast<float>(r * std::sin(theta));
    has_spare_ = true;
    return static_cast<float>(r * std::cos(theta));
}

std::uint64_t Generator::randint(std::uint64_t n) {
    if (n == 0) throw std::invalid_argument("Generator::randint: n must be positive");
    // Reject the top partial block of 2^64 so every residue is equally likely.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x;
    do x = engine_();
    while (x >= limit);
    return x % n;
}

Array Generator::uniform_array(const Shape& shape, float lo, float hi) {
    Array a = Array::from_shape(shape);
    for (float& v : a) v = uniform(lo, hi);
    return a;
}

Array Generator::normal_array(const Shape& shape, float mean, float stddev) {
    Array a = Array::from_shape(shape);
    for (float& v : a) v = normal(mean, stddev);
    return a;
}

std::string Generator::state() const {
    std::ostringstream os;
    os << engine_ << ' ' << has_spare_ << ' ' << std::hexfloat << spare_;
    return os.str();
}

void Generator::set_state(const std::string& state) {
    std::istringstream is(state);
    std::mt19937_64 engine;
    bool has_spare = false;
    std::string spare_text;
    is >> engine >> has_spare >> spare_text;
    if (!is) throw std::invalid_argument("Generator::set_state: malformed state string");
    engine_ = engine;
    has_spare_ = has_spare;
    spare_ = std::strtof(spare_text.c_str(), nullptr);
}

}  // namespace xgrad
