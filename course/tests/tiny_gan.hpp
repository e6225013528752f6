// tiny_gan.hpp — the small networks tasks 9 and 10 grade a GAN step with. They are
// real GeneratorNet / DiscriminatorNet modules, but built from elementwise ops and
// sums only (no matrix product), so a step's losses come out the same to the last
// bit on every machine, and they count what the step does with them: how often the
// generator runs and is differentiated, how often the discriminator's weights get
// a gradient, and which labels each call was given.
#pragma once

#include <cstdio>
#include <cstring>
#include <string>
#include <memory>
#include <vector>

#include "course_check.hpp"
#include "examples/common/gan_step.hpp"

namespace xgrad::course {

// The identity, counting the backward passes that reach it.
inline Tensor probe(const Tensor& t, int* count) {
    return record("probe", t.value(), {t}, [t, count](const Array& g, const Array&) {
        ++*count;
        if (t.requires_grad()) t.add_grad(g);
    });
}

// x (B, D) from noise z (B, D) and, when conditional, the one-hot label y (B, K):
//   x = tanh(z ⊙ a + b + Σ_k y[:, k] e[k, :])
struct TinyGen : examples::GeneratorNet {
    Tensor a, b, e;
    std::size_t classes;
    int forwards = 0, backwards = 0;
    std::vector<Indices> labels;  // the labels of each call
    TinyGen(std::size_t D, std::size_t K, std::uint64_t seed) : classes(K) {
        Generator gen(seed);
        a = register_parameter("a", Tensor(gen.normal_array({D}, 1.0f, 0.3f)));
        b = register_parameter("b", Tensor(gen.normal_array({D}, 0.0f, 0.3f)));
        if (K > 0) e = register_parameter("e", Tensor(gen.normal_array({K, D}, 0.0f, 0.5f)));
    }
    Tensor forward(const Tensor& z, const Tensor& y) override {
        ++forwards;
        Tensor h = z * a + b;
        if (classes > 0) {
            labels.push_back(argmax(y, 1));
            const auto B = static_cast<std::ptrdiff_t>(y.shape()[0]), K = static_cast<std::ptrdiff_t>(classes);
            h = h + sum(reshape(y, {B, K, 1}) * e, 1);
        }
        return probe(tanh(h), &backwards);
    }
};

// The logit of x (B, D), and of its label y (B, K) when conditional; with aux > 0 also
// class logits (B, aux):
//   logit = Σ_d x[:, d] w[d] + c + Σ_k y[:, k] u[k]      class_logits = Σ_d x[:, d] v[d, :] + q
struct TinyDisc : examples::DiscriminatorNet {
    Tensor w, c, u, v, q;
    std::size_t classes, aux;
    int weight_grads = 0;         // backward passes that computed w's gradient
    std::vector<Indices> labels;  // the labels of each call
    // zero: every parameter 0 (a discriminator that knows nothing: logit 0 everywhere).
    TinyDisc(std::size_t D, std::size_t K, std::size_t aux_classes, std::uint64_t seed, bool zero = false)
        : classes(K), aux(aux_classes) {
        Generator gen(seed);
        const float s = zero ? 0.0f : 0.5f;
        w = register_parameter("w", Tensor(gen.normal_array({D}, 0.0f, s)));
        c = register_parameter("c", Tensor(gen.normal_array({1}, 0.0f, s)));
        if (K > 0) u = register_parameter("u", Tensor(gen.normal_array({K}, 0.0f, s)));
        if (aux > 0) {
            v = register_parameter("v", Tensor(gen.normal_array({D, aux}, 0.0f, s)));
            q = register_parameter("q", Tensor(gen.normal_array({aux}, 0.0f, s)));
        }
    }
    examples::DiscOutput forward(const Tensor& x, const Tensor& y) override {
        Tensor logit = sum(x * probe(w, &weight_grads), 1, true) + c;
        if (classes > 0) {
            labels.push_back(argmax(y, 1));
            logit = logit + sum(y * u, 1, true);
        }
        Tensor class_logits;
        if (aux > 0) {
            const auto B = static_cast<std::ptrdiff_t>(x.shape()[0]), D = static_cast<std::ptrdiff_t>(x.shape()[1]);
            class_logits = sum(reshape(x, {B, D, 1}) * v, 1) + q;
        }
        return {logit, class_logits};
    }
};

// Real images (B, D) in (-1, 1), and labels 0..K-1, the same on every machine.
inline Tensor tiny_images(std::size_t B, std::size_t D) {
    Generator gen(99);
    return Tensor(gen.uniform_array({B, D}, -0.9f, 0.9f));
}

// A float's bits, to compare exactly, and the float in full ("1.3862944 (0x1.62e43p+0)").
inline std::uint32_t bits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}
inline std::string exact(float f) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g (%a)", static_cast<double>(f), static_cast<double>(f));
    return buf;
}

}  // namespace xgrad::course
