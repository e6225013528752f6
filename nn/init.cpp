// init.cpp — in-place initialisers; each draw from the caller's Generator in row-major order.
#include "init.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace xgrad::nn::init {

namespace {

// Product of the axes after the first two: the receptive field (1 for a matrix).
std::size_t receptive_field(const Shape& s) {
    if (s.size() < 2)
        throw ShapeError("init: fan_in and fan_out need a weight of at least 2 axes (out, in, ...), got " +
                         shape_str(s));
    std::size_t r = 1;
    for (std::size_t k = 2; k < s.size(); ++k) r *= s[k];
    return r;
}

std::size_t fan(const Shape& s, FanMode mode) { return mode == FanMode::fan_in ? fan_in(s) : fan_out(s); }

}  // namespace

std::size_t fan_in(const Shape& s) { return s[1] * receptive_field(s); }
std::size_t fan_out(const Shape& s) { return s[0] * receptive_field(s); }

float calculate_gain(std::string_view nonlinearity, float param) {
    if (nonlinearity == "linear" || nonlinearity == "identity" || nonlinearity == "sigmoid") return 1.0f;
    if (nonlinearity == "tanh") return 5.0f / 3.0f;
    if (nonlinearity == "relu") return std::sqrt(2.0f);
    if (nonlinearity == "leaky_relu") return std::sqrt(2.0f / (1.0f + param * param));
    if (nonlinearity == "selu") return 0.75f;
    throw std::invalid_argument("calculate_gain: unknown nonlinearity '" + std::string(nonlinearity) +
                                "'; use linear, identity, sigmoid, tanh, relu, leaky_relu or selu");
}

void normal_(Tensor& t, Generator& gen, float mean, float std) {
    if (!(std >= 0.0f)) {
        std::ostringstream msg;
        msg << "normal_: std must be >= 0, got " << std;
        throw std::invalid_argument(msg.str());
    }
    Array& v = t.mutable_value();
    float* p = v.data();
    for (std::size_t i = 0; i < v.size(); ++i) p[i] = gen.normal(mean, std);
}

void uniform_(Tensor& t, Generator& gen, float lo, float hi) {
    if (!(lo <= hi)) {
        std::ostringstream msg;
        msg << "uniform_: lo (" << lo << ") must not exceed hi (" << hi << ")";
        throw std::invalid_argument(msg.str());
    }
    Array& v = t.mutable_value();
    float* p = v.data();
    for (std::size_t i = 0; i < v.size(); ++i) p[i] = gen.uniform(lo, hi);
}

void constant_(Tensor& t, float value) { t.mutable_value().fill(value); }
void zeros_(Tensor& t) { constant_(t, 0.0f); }
void ones_(Tensor& t) { constant_(t, 1.0f); }

// b = gain √(6 / (fan_in + fan_out))
void xavier_uniform_(Tensor& t, Generator& gen, float gain) {
    const std::size_t fans = fan_in(t.shape()) + fan_out(t.shape());
    if (t.size() == 0) return;  // nothing to fill (and the fans could be 0)
    const float b = gain * std::sqrt(6.0f / static_cast<float>(fans));
    uniform_(t, gen, -b, b);
}

// s = gain √(2 / (fan_in + fan_out))
void xavier_normal_(Tensor& t, Generator& gen, float gain) {
    const std::size_t fans = fan_in(t.shape()) + fan_out(t.shape());
    if (t.size() == 0) return;  // nothing to fill (and the fans could be 0)
    normal_(t, gen, 0.0f, gain * std::sqrt(2.0f / static_cast<float>(fans)));
}

// s = gain / √fan, b = √3 s  (U(-b, b) has standard deviation b / √3 = s)
void kaiming_uniform_(Tensor& t, Generator& gen, float a, FanMode mode, std::string_view nonlinearity) {
    const std::size_t f = fan(t.shape(), mode);
    if (t.size() == 0) return;  // nothing to fill (and the fan could be 0)
    const float s = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<float>(f));
    const float b = std::sqrt(3.0f) * s;
    uniform_(t, gen, -b, b);
}

void kaiming_normal_(Tensor& t, Generator& gen, float a, FanMode mode, std::string_view nonlinearity) {
    const std::size_t f = fan(t.shape(), mode);
    if (t.size() == 0) return;  // nothing to fill (and the fan could be 0)
    normal_(t, gen, 0.0f, calculate_gain(nonlinearity, a) / std::sqrt(static_cast<float>(f)));
}

// Both from U(-1/√in, 1/√in), weight first. (in = 0: an empty weight, bias 0, as PyTorch.)
void linear_default_(Tensor& weight, Tensor& bias, Generator& gen) {
    const std::size_t in = fan_in(weight.shape());
    const float b = in > 0 ? 1.0f / std::sqrt(static_cast<float>(in)) : 0.0f;
    uniform_(weight, gen, -b, b);
    if (bias.defined()) uniform_(bias, gen, -b, b);
}

}  // namespace xgrad::nn::init
