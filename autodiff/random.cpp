// random.cpp — distributions written out, so a seed means the same numbers everywhere.
#include "random.hpp"

#include <charconv>
#include <cmath>
#include <locale>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <string_view>

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

// Format: the engine's own text form (its 312 words and position), then
// has_spare (0/1) and the spare as a hex float, which round-trips exactly.
// The classic "C" locale on both sides, so no thousands separators sneak in.
std::string Generator::state() const {
    std::ostringstream os;
    os.imbue(std::locale::classic());
    os << engine_ << ' ' << has_spare_ << ' ' << std::hexfloat << spare_;
    return os.str();
}

namespace {
// Parse a hex float as printed by std::hexfloat ("-0x1.8p+0"); false if it is not
// exactly that. (std::from_chars reads hex floats without sign and "0x".)
bool parse_hexfloat(std::string_view text, float& value) {
    const bool negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    if (!text.starts_with("0x")) return false;
    text.remove_prefix(2);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::hex);
    if (ec != std::errc() || end != text.data() + text.size()) return false;
    if (negative) value = -value;
    return true;
}
}  // namespace

void Generator::set_state(const std::string& state) {
    std::istringstream is(state);
    is.imbue(std::locale::classic());
    std::mt19937_64 engine;
    bool has_spare = false;
    std::string spare_text;
    float spare = 0.0f;
    is >> engine >> has_spare >> spare_text;
    const bool ok = !is.fail() && parse_hexfloat(spare_text, spare) && (is >> std::ws).eof();
    if (!ok)
        throw std::invalid_argument(
            "Generator::set_state: malformed state string; pass a string returned by Generator::state()");
    engine_ = engine;
    has_spare_ = has_spare;
    spare_ = spare;
}

}  // namespace xgrad
