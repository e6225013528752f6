// test_models.cpp — the examples' networks (examples/common/models.cpp): --arch
// parsing; output shapes for every arch (mlp, article, paper, dcgan) × {GAN, CGAN} ×
// {no aux head, aux head};
// the output nonlinearity (tanh / sigmoid) and range; parameter counts worked out
// by hand; each forward against the same layers written out by hand from the
// functional ops; parameter names; a seed fixes the weights; the label y really changes
// the outputs; train() vs eval() (batch norm, dropout); gradient checks through
// whole networks (inputs and weights, by finite differences); the errors.
#include "check.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "examples/common/models.hpp"

using namespace xgrad;
using namespace xgrad::examples;
using xgrad::testing::all_close;
using xgrad::testing::randn;
using xgrad::testing::randu;

namespace {
const Arch kArchs[] = {Arch::mlp, Arch::article, Arch::paper, Arch::dcgan};

std::vector<std::string> names(const nn::NamedTensors& named) {
    std::vector<std::string> out;
    for (const auto& [name, t] : named) out.push_back(name);
    return out;
}

// The parameter called `name` (a handle: writing its value changes the network's).
Tensor param(const nn::Module& m, const std::string& name) {
    for (const auto& [n, t] : m.named_parameters())
        if (n == name) return t;
    FAIL("no parameter named " << name);
    return Tensor();
}

// One-hot labels (N, 10) for labels 0, 1, 2, ... (mod 10), or shifted by `shift`.
Tensor labels(std::size_t n, std::size_t shift = 0) {
    Indices l(n);
    for (std::size_t i = 0; i < n; ++i) l[i] = (i + shift) % 10;
    return one_hot(l, 10);
}

// Images in the arch's pixel range, like the scaled real data.
Tensor images(Arch arch, std::size_t n, std::uint64_t seed = 3) {
    const PixelRange r = pixel_range(arch);
    return randu({n, 784}, r.lo, r.hi, seed);
}

// The largest |a - b| over all elements.
float max_abs_diff(const Array& a, const Array& b) {
    float d = 0.0f;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a.data()[i] - b.data()[i]));
    return d;
}

// The reference forward passes: each network written out again from the functional
// ops and its own parameters, so the layer order, the activations and their slopes,
// the dropout rates and where the label joins are pinned down layer by layer.
// training: batch norm uses the batch statistics (running ones left alone) and
// dropout draws from drop (the same sequence of draws as the network's own layers).
struct Reference {
    const nn::Module& m;
    bool training;
    Generator* drop;

    Tensor fc(const std::string& name, const Tensor& x) const {
        return xgrad::linear(x, param(m, name + ".weight"), param(m, name + ".bias"));
    }
    Tensor mo(const std::string& name, const Tensor& x, std::size_t pieces) const {
        return nn::maxout(fc(name + ".linear", x), pieces);
    }
    Tensor bn(const std::string& name, const Tensor& x) const {
        Tensor mean, var;  // empty: training mode then updates nothing
        if (!training) {
            for (const auto& [n, b] : m.named_buffers()) {
                if (n == name + ".running_mean") mean = b;
                if (n == name + ".running_var") var = b;
            }
        }
        return batch_norm_reference(x, mean, var, param(m, name + ".weight"), param(m, name + ".bias"), training);
    }
    Tensor drop_out(const Tensor& x, float p) const { return dropout(x, p, *drop, training); }
    // The convolutions of dcgan: D's halve (kernel 4, stride 2, padding 1), G's keep
    // the size (kernel 3, stride 1, padding 1).
    Tensor conv(const std::string& name, const Tensor& x, std::size_t stride = 2) const {
        return conv2d(x, param(m, name + ".weight"), param(m, name + ".bias"), stride, 1);
    }
};

// Nearest-neighbour upsampling by 2 of an NCHW map, written element by element:
// out[n, c, i, j] = x[n, c, i / 2, j / 2].
Tensor upsample_by_hand(const Tensor& x) {
    const Shape s = x.shape();
    Array out = xt::zeros<float>({s[0], s[1], 2 * s[2], 2 * s[3]});
    for (std::size_t n = 0; n < s[0]; ++n)
        for (std::size_t c = 0; c < s[1]; ++c)
            for (std::size_t i = 0; i < 2 * s[2]; ++i)
                for (std::size_t j = 0; j < 2 * s[3]; ++j) out(n, c, i, j) = x.value()(n, c, i / 2, j / 2);
    return Tensor(out);
}

// The projection term of dcgan's CGAN discriminator, written element by element:
// proj[n] = Σ_f φ[n, f] · Σ_c embed.weight[f, c] · y[n, c]  (the class's vector · the features).
Tensor projection_by_hand(const nn::Module& d, const Tensor& phi, const Tensor& y) {
    const Array& w = param(d, "embed.weight").value();  // (F, C)
    Array out = xt::zeros<float>({phi.shape()[0], std::size_t{1}});
    for (std::size_t n = 0; n < phi.shape()[0]; ++n) {
        double total = 0.0;
        for (std::size_t f = 0; f < w.shape()[0]; ++f) {
            double v = 0.0;
            for (std::size_t c = 0; c < w.shape()[1]; ++c) v += double(w(f, c)) * y.value()(n, c);
            total += v * phi.value()(n, f);
        }
        out(n, 0) = static_cast<float>(total);
    }
    return Tensor(out);
}

Tensor reference_generator(Arch arch, const Reference& r, const Tensor& z, const Tensor& y) {
    const bool cond = y.defined();
    switch (arch) {
        case Arch::mlp: {
            Tensor h = cond ? concat({z, y}, 1) : z;
            h = leaky_relu(r.fc("fc1", h), 0.2f);
            h = leaky_relu(r.bn("bn2", r.fc("fc2", h)), 0.2f);
            h = leaky_relu(r.bn("bn3", r.fc("fc3", h)), 0.2f);
            return tanh(r.fc("fc4", h));
        }
        case Arch::article: {
            Tensor h = cond ? concat({z, y}, 1) : z;
            for (const char* name : {"fc1", "fc2", "fc3", "fc4", "fc5"}) h = relu(r.fc(name, h));
            return sigmoid(r.fc("fc6", h));
        }
        case Arch::paper: {
            Tensor h = relu(r.fc("fc_z", z));
            if (cond) h = concat({h, relu(r.fc("fc_y", y))}, 1);
            return sigmoid(r.fc("fc_out", relu(r.fc("fc_joint", h))));
        }
        case Arch::dcgan: {
            Tensor h = r.fc("fc", cond ? concat({z, y}, 1) : z);
            h = relu(r.bn("bn0", reshape(h, {-1, 64, 7, 7})));
            h = relu(r.bn("bn1", r.conv("conv1", upsample_by_hand(h), 1)));  // (N, 32, 14, 14)
            return reshape(tanh(r.conv("conv2", upsample_by_hand(h), 1)), {-1, 784});
        }
    }
    return Tensor();
}

// (logit, class logits) side by side, (N, 1 + 10).
Tensor reference_discriminator(Arch arch, const Reference& r, const Tensor& x, const Tensor& y) {
    const bool cond = y.defined();
    Tensor h;
    std::string out;
    switch (arch) {
        case Arch::mlp:
            h = cond ? concat({x, y}, 1) : x;
            h = r.drop_out(leaky_relu(r.fc("fc1", h), 0.2f), 0.3f);
            h = r.drop_out(leaky_relu(r.fc("fc2", h), 0.2f), 0.3f);
            out = "fc3";
            break;
        case Arch::article:
            h = cond ? concat({x, y}, 1) : x;
            for (const char* name : {"fc1", "fc2", "fc3", "fc4"}) h = relu(r.fc(name, h));
            out = "fc5";
            break;
        case Arch::paper:
            h = r.mo("maxout_x", x, 5);
            if (cond) h = concat({h, r.mo("maxout_y", y, 5)}, 1);
            h = r.drop_out(r.mo("maxout_joint", h, 4), 0.5f);
            out = "fc_out";
            break;
        case Arch::dcgan:
            h = reshape(x, {-1, 1, 28, 28});
            h = leaky_relu(r.conv("conv1", h), 0.2f);     // (N, 32, 14, 14)
            h = leaky_relu(r.conv("conv2", h), 0.2f);     // (N, 64, 7, 7)
            h = reshape(h, {-1, 64 * 7 * 7});
            if (cond) return concat({r.fc("fc", h) + projection_by_hand(r.m, h, y), r.fc("aux", h)}, 1);
            out = "fc";
            break;
    }
    return concat({r.fc(out, h), r.fc("aux", h)}, 1);
}

// A finite-difference check of a whole network's backward. gradcheck's rule (every
// element within 1e-2, absolute below 1) does not fit here: these networks have
// thousands of ReLU / LeakyReLU / maxout units, and nudging one input by h moves a
// few of them across their kink, so the central difference of an unlucky element is
// off by a few percent of the gradient's scale — the nature of a piecewise-linear
// function, not a wrong backward (measured: up to 6% at h = 1e-3; larger h crosses
// more kinks, smaller h drowns in float32 rounding). A wrong backward — a dropped
// path, a wrong slice of a concat, a missing batch-statistics term — is off by the
// size of the gradient itself. So: d(Σ r ⊙ f())/dt (r fixed random weights, sums in
// double) at `count` evenly spaced elements of t (an input that requires grad, or a
// parameter) against the gradient one backward puts there, each error measured
// against the largest gradient checked, |analytic - numeric| / max_k |analytic_k| < 0.1.
void check_fd(const std::string& what, const std::function<Tensor()>& f, Tensor t, std::size_t count, double h = 1e-3) {
    CAPTURE(what);
    Tensor y = f();
    const Array r = Generator(11).normal_array(y.shape());
    if (t.has_grad()) t.zero_grad();  // earlier backward passes accumulated into parameters
    backward(y, r);
    REQUIRE(t.has_grad());
    const Array analytic = t.grad();
    auto project = [&r](const Array& v) {
        double s = 0.0;
        for (std::size_t i = 0; i < v.size(); ++i) s += static_cast<double>(r.data()[i]) * v.data()[i];
        return s;
    };
    const std::size_t stride = std::max<std::size_t>(1, t.size() / count);
    std::vector<std::size_t> idx;
    std::vector<double> a, numeric;
    for (std::size_t i = 0; i < t.size() && a.size() < count; i += stride) {
        float& v = t.mutable_value().data()[i];
        const float saved = v;
        double fp = 0.0, fm = 0.0;
        {
            NoGrad no_grad;
            v = static_cast<float>(saved + h);
            fp = project(f().value());
            v = static_cast<float>(saved - h);
            fm = project(f().value());
        }
        v = saved;
        idx.push_back(i);
        a.push_back(analytic.data()[i]);
        numeric.push_back((fp - fm) / (2 * h));
    }
    double largest = 0.0, worst = 0.0;
    std::size_t worst_k = 0;
    for (double x : a) largest = std::max(largest, std::abs(x));
    for (std::size_t k = 0; k < a.size(); ++k) {
        const double err = std::abs(a[k] - numeric[k]) / largest;
        if (err > worst) {
            worst = err;
            worst_k = k;
        }
    }
    INFO("worst element " << idx[worst_k] << ": analytic " << a[worst_k] << ", numeric " << numeric[worst_k]
                          << "; largest gradient " << largest);
    CHECK(largest > 1e-3);  // there is a gradient to check
    CHECK(worst < 0.1);
}

// Gradient checks through a whole G and D of one arch, with a small batch. D runs
// in eval() (finite differences need a deterministic function: no fresh dropout
// masks); G runs in training mode, through the batch-norm statistics of mlp and dcgan.
void check_network_gradients(Arch arch, std::size_t classes) {
    CAPTURE(arch_name(arch));
    CAPTURE(classes);
    Generator gen(5), drop_gen(2);
    auto g = make_generator(arch, 4, classes, gen);
    auto d = make_discriminator(arch, classes, 10, gen, drop_gen);
    d->eval();
    Tensor z(randn({8, 4}, 21).value(), true), x(images(arch, 4, 22).value(), true);
    Tensor yg, yd;  // the plain GAN's networks take no label
    if (classes > 0) {
        yg = Tensor(labels(8).value(), true);
        yd = Tensor(labels(4).value(), true);
    }

    auto g_out = [g, z, yg] { return (*g)(z, yg); };
    // D: the real/fake logit and the class logits side by side, (N, 1 + 10).
    auto d_out = [d, x, yd] {
        const DiscOutput out = (*d)(x, yd);
        return concat({out.logit, out.class_logits}, 1);
    };
    check_fd("G w.r.t. z", g_out, z, 32);  // all of z (8, 4)
    check_fd("D w.r.t. x", d_out, x, 24);
    if (classes > 0) {
        check_fd("G w.r.t. y", g_out, yg, 24);
        check_fd("D w.r.t. y", d_out, yd, 24);
    }
    // Weights of the first and last layers, and the aux head.
    const bool dc = arch == Arch::dcgan;
    const std::string g_first = dc ? "fc" : arch == Arch::paper ? "fc_z" : "fc1";
    const std::string g_last = dc ? "conv2" : arch == Arch::mlp ? "fc4" : arch == Arch::article ? "fc6" : "fc_out";
    const std::string d_first = dc ? "conv1" : arch == Arch::paper ? "maxout_x.linear" : "fc1";
    const std::string d_last = dc ? "fc" : arch == Arch::mlp ? "fc3" : arch == Arch::article ? "fc5" : "fc_out";
    check_fd("G first weight", g_out, param(*g, g_first + ".weight"), 24);
    check_fd("G last bias", g_out, param(*g, g_last + ".bias"), 24);
    check_fd("D first weight", d_out, param(*d, d_first + ".weight"), 24);
    check_fd("D last weight", d_out, param(*d, d_last + ".weight"), 24);
    check_fd("D aux weight", d_out, param(*d, "aux.weight"), 24);
    if (arch == Arch::mlp) check_fd("G bn2 weight", g_out, param(*g, "bn2.weight"), 24);
    if (dc) {  // the layers in between: G's first convolution and batch norm, D's second convolution
        check_fd("G conv1 weight", g_out, param(*g, "conv1.weight"), 24);
        check_fd("G bn0 bias", g_out, param(*g, "bn0.bias"), 24);
        check_fd("D conv2 weight", d_out, param(*d, "conv2.weight"), 24);
        if (classes > 0) check_fd("D embed weight", d_out, param(*d, "embed.weight"), 24);
    }
}
}  // namespace

TEST_CASE("parse_arch, arch_name and pixel_range") {
    for (Arch a : kArchs) CHECK(parse_arch(arch_name(a)) == a);
    CHECK(parse_arch("mlp") == Arch::mlp);
    CHECK(parse_arch("article") == Arch::article);
    CHECK(parse_arch("paper") == Arch::paper);
    CHECK(parse_arch("dcgan") == Arch::dcgan);
    CHECK(arch_name(Arch::paper) == "paper");
    CHECK(arch_name(Arch::dcgan) == "dcgan");
    CHECK_THROWS_WITH_AS(parse_arch("cnn"), "unknown --arch 'cnn' (use mlp, dcgan, article or paper)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_arch("MLP"), "unknown --arch 'MLP' (use mlp, dcgan, article or paper)",
                         std::invalid_argument);
    CHECK(pixel_range(Arch::mlp).lo == -1.0f);
    CHECK(pixel_range(Arch::mlp).hi == 1.0f);
    CHECK(pixel_range(Arch::article).lo == 0.0f);
    CHECK(pixel_range(Arch::article).hi == 1.0f);
    CHECK(pixel_range(Arch::paper).lo == 0.0f);
    CHECK(pixel_range(Arch::paper).hi == 1.0f);
    CHECK(pixel_range(Arch::dcgan).lo == -1.0f);
    CHECK(pixel_range(Arch::dcgan).hi == 1.0f);
}

TEST_CASE("output shapes: every arch, GAN and CGAN, with and without the aux head, train and eval") {
    for (Arch arch : kArchs)
        for (std::size_t classes : {0, 10})
            for (std::size_t aux : {0, 10})
                for (bool training : {true, false}) {
                    CAPTURE(arch_name(arch));
                    CAPTURE(classes);
                    CAPTURE(aux);
                    CAPTURE(training);
                    Generator gen(1), drop_gen(2);
                    auto g = make_generator(arch, 100, classes, gen);
                    auto d = make_discriminator(arch, classes, aux, gen, drop_gen);
                    g->train(training);
                    d->train(training);
                    const Tensor y = classes > 0 ? labels(5) : Tensor();
                    Tensor fake = (*g)(randn({5, 100}), y);
                    CHECK(fake.shape() == Shape{5, 784});
                    DiscOutput out = (*d)(fake, y);
                    CHECK(out.logit.shape() == Shape{5, 1});
                    if (aux > 0) {
                        REQUIRE(out.class_logits.defined());
                        CHECK(out.class_logits.shape() == Shape{5, 10});
                    } else {
                        CHECK_FALSE(out.class_logits.defined());
                    }
                    // Gradients reach every parameter of both networks.
                    Tensor loss = sum(out.logit);
                    if (aux > 0) loss = add(loss, sum(out.class_logits));
                    loss.backward();
                    for (const auto& [name, p] : g->named_parameters()) {
                        CAPTURE(name);
                        CHECK(p.has_grad());
                    }
                    for (const auto& [name, p] : d->named_parameters()) {
                        CAPTURE(name);
                        CHECK(p.has_grad());
                    }
                }
}

TEST_CASE("each network equals its layers written out by hand") {
    for (Arch arch : kArchs)
        for (std::size_t classes : {0, 10})
            for (bool training : {true, false}) {
                CAPTURE(arch_name(arch));
                CAPTURE(classes);
                CAPTURE(training);
                Generator gen(3), drop_gen(8), ref_drop(8);  // ref_drop replays drop_gen's draws
                auto g = make_generator(arch, 100, classes, gen);
                auto d = make_discriminator(arch, classes, 10, gen, drop_gen);
                g->train(training);
                d->train(training);
                const Tensor z = randn({6, 100}), x = images(arch, 6), y = classes > 0 ? labels(6) : Tensor();

                const Array fake = (*g)(z, y).value();
                CHECK(all_close(fake, reference_generator(arch, {*g, training, &ref_drop}, z, y).value()));
                const DiscOutput out = (*d)(x, y);
                const Array expected = reference_discriminator(arch, {*d, training, &ref_drop}, x, y).value();
                CHECK(all_close(concat({out.logit, out.class_logits}, 1).value(), expected));
                CHECK(drop_gen.state() == ref_drop.state());  // the same number of draws
            }
}

TEST_CASE("eval() networks take a batch of one") {
    // Batch norm in training mode needs N > 1; in eval it uses the running statistics.
    for (Arch arch : kArchs) {
        CAPTURE(arch_name(arch));
        Generator gen(1), drop_gen(2);
        auto g = make_generator(arch, 100, 10, gen);
        auto d = make_discriminator(arch, 10, 0, gen, drop_gen);
        g->eval();
        d->eval();
        Tensor fake = (*g)(randn({1, 100}), labels(1));
        CHECK(fake.shape() == Shape{1, 784});
        CHECK((*d)(fake, labels(1)).logit.shape() == Shape{1, 1});
    }
}

TEST_CASE("the generator's output nonlinearity and range") {
    for (Arch arch : kArchs)
        for (std::size_t classes : {0, 10}) {
            CAPTURE(arch_name(arch));
            CAPTURE(classes);
            Generator gen(4), drop_gen(2);
            auto g = make_generator(arch, 100, classes, gen);
            const Tensor y = classes > 0 ? labels(16) : Tensor();
            const PixelRange r = pixel_range(arch);

            // Large z pushes outputs towards the ends of the range, never past them.
            const Array out = (*g)(mul(randn({16, 100}, 9), 10.0f), y).value();
            CHECK(xt::amin(out)() >= r.lo);
            CHECK(xt::amax(out)() <= r.hi);
            // A tanh output uses its negative half (a sigmoid could not).
            const bool tanh_out = arch == Arch::mlp || arch == Arch::dcgan;
            if (tanh_out) CHECK(xt::amin(out)() < -0.1f);

            // Zero the output layer's weights and set its bias to 0.5: every pixel is
            // then tanh(0.5) = 0.46212 (mlp, dcgan) or sigmoid(0.5) = 1 / (1 + e^-0.5) = 0.62246.
            const std::string last = arch == Arch::dcgan     ? "conv2"
                                     : arch == Arch::mlp     ? "fc4"
                                     : arch == Arch::article ? "fc6"
                                                             : "fc_out";
            param(*g, last + ".weight").mutable_value().fill(0.0f);
            param(*g, last + ".bias").mutable_value().fill(0.5f);
            const Array flat = (*g)(randn({3, 100}), classes > 0 ? labels(3) : Tensor()).value();
            const float expected = tanh_out ? 0.46211716f : 0.62245933f;
            for (std::size_t i = 0; i < flat.size(); ++i) REQUIRE(flat.data()[i] == doctest::Approx(expected));
        }
}

TEST_CASE("parameter counts, worked out by hand (z_dim 100)") {
    // A Linear(in → out) has in·out + out parameters, a BatchNorm1d(C) or BatchNorm2d(C) 2C,
    // a Maxout(in → out, K pieces) is a Linear(in → out·K): in·out·K + out·K, and a Conv2d
    // (in → out, kernel k × k) in·out·k² + out.
    struct Case {
        Arch arch;
        std::size_t classes, gen, disc, aux;  // aux: what the 10-class head adds to D
    };
    const Case cases[] = {
        // mlp G, CGAN: (110·256 + 256) + (256·512 + 512) + 2·512 + (512·1024 + 1024) + 2·1024 + (1024·784 + 784)
        //            = 28 416 + 131 584 + 1 024 + 525 312 + 2 048 + 803 600 = 1 491 984
        //   GAN: fc1 = 100·256 + 256 = 25 856 instead of 28 416          → 1 489 424
        // mlp D, CGAN: (794·512 + 512) + (512·256 + 256) + (256·1 + 1) = 407 040 + 131 328 + 257 = 538 625
        //   GAN: fc1 = 784·512 + 512 = 401 920 instead of 407 040         → 533 505
        //   aux head: 256·10 + 10 = 2 570
        {Arch::mlp, 10, 1491984, 538625, 2570},
        {Arch::mlp, 0, 1489424, 533505, 2570},
        // article G, CGAN: (110·128 + 128) + (128·256 + 256) + (256·512 + 512) + (512·1024 + 1024)
        //                  + (1024·1024 + 1024) + (1024·784 + 784)
        //            = 14 208 + 33 024 + 131 584 + 525 312 + 1 049 600 + 803 600 = 2 557 328
        //   GAN: fc1 = 100·128 + 128 = 12 928 instead of 14 208          → 2 556 048
        // article D, CGAN: (794·1024 + 1024) + (1024·512 + 512) + (512·256 + 256) + (256·128 + 128) + (128 + 1)
        //            = 814 080 + 524 800 + 131 328 + 32 896 + 129 = 1 503 233
        //   GAN: fc1 = 784·1024 + 1024 = 803 840 instead of 814 080       → 1 492 993
        //   aux head: 128·10 + 10 = 1 290
        {Arch::article, 10, 2557328, 1503233, 1290},
        {Arch::article, 0, 2556048, 1492993, 1290},
        // paper G, CGAN: z (100·200 + 200) + y (10·1000 + 1000) + joint (1200·1200 + 1200) + out (1200·784 + 784)
        //            = 20 200 + 11 000 + 1 441 200 + 941 584 = 2 413 984
        //   GAN: no y layer, joint = 200·1200 + 1200 = 241 200            → 20 200 + 241 200 + 941 584 = 1 202 984
        // paper D, CGAN: x maxout (784·1200 + 1200) + y maxout (10·250 + 250) + joint maxout (290·960 + 960)
        //                + out (240 + 1)
        //            = 942 000 + 2 750 + 279 360 + 241 = 1 224 351
        //   GAN: no y maxout, joint = 240·960 + 960 = 231 360              → 942 000 + 231 360 + 241 = 1 173 601
        //   aux head: 240·10 + 10 = 2 410
        {Arch::paper, 10, 2413984, 1224351, 2410},
        {Arch::paper, 0, 1202984, 1173601, 2410},
        // dcgan G, CGAN: fc (110·3136 + 3136) + bn0 2·64 + conv1 (64·32·9 + 32) + bn1 2·32 + conv2 (32·1·9 + 1)
        //            = 348 096 + 128 + 18 464 + 64 + 289 = 367 041
        //   GAN: fc = 100·3136 + 3136 = 316 736 instead of 348 096        → 335 681
        // dcgan D, CGAN: conv1 (1·32·16 + 32) + conv2 (32·64·16 + 64) + fc (3136 + 1) + embed 10·3136
        //            = 544 + 32 832 + 3 137 + 31 360 = 67 873
        //   GAN: no embed                                                  → 36 513
        //   aux head: 3136·10 + 10 = 31 370
        {Arch::dcgan, 10, 367041, 67873, 31370},
        {Arch::dcgan, 0, 335681, 36513, 31370},
    };
    for (const Case& c : cases) {
        CAPTURE(arch_name(c.arch));
        CAPTURE(c.classes);
        Generator gen(1), drop_gen(2);
        CHECK(make_generator(c.arch, 100, c.classes, gen)->num_parameters() == c.gen);
        CHECK(make_discriminator(c.arch, c.classes, 0, gen, drop_gen)->num_parameters() == c.disc);
        CHECK(make_discriminator(c.arch, c.classes, 10, gen, drop_gen)->num_parameters() == c.disc + c.aux);
    }
}

TEST_CASE("parameter and buffer names") {
    Generator gen(1), drop_gen(2);
    using V = std::vector<std::string>;
    SUBCASE("mlp") {
        auto g = make_generator(Arch::mlp, 100, 10, gen);
        CHECK(names(g->named_parameters()) == V{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "bn2.weight",
                                                "bn2.bias", "fc3.weight", "fc3.bias", "bn3.weight", "bn3.bias",
                                                "fc4.weight", "fc4.bias"});
        CHECK(names(g->named_buffers()) ==
              V{"bn2.running_mean", "bn2.running_var", "bn3.running_mean", "bn3.running_var"});
        auto d = make_discriminator(Arch::mlp, 10, 10, gen, drop_gen);
        CHECK(names(d->named_parameters()) ==
              V{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias", "aux.weight",
                "aux.bias"});
        CHECK(names(d->named_buffers()).empty());
        CHECK(param(*d, "fc1.weight").shape() == Shape{512, 794});  // the label's 10 columns join x's 784
        CHECK(param(*d, "aux.weight").shape() == Shape{10, 256});
        CHECK(param(*g, "fc1.weight").shape() == Shape{256, 110});
    }
    SUBCASE("article") {
        auto g = make_generator(Arch::article, 100, 10, gen);
        CHECK(names(g->named_parameters()) == V{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight",
                                                "fc3.bias", "fc4.weight", "fc4.bias", "fc5.weight", "fc5.bias",
                                                "fc6.weight", "fc6.bias"});
        CHECK(names(g->named_buffers()).empty());
        auto d = make_discriminator(Arch::article, 10, 10, gen, drop_gen);
        CHECK(names(d->named_parameters()) == V{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight",
                                                "fc3.bias", "fc4.weight", "fc4.bias", "fc5.weight", "fc5.bias",
                                                "aux.weight", "aux.bias"});
        CHECK(param(*d, "aux.weight").shape() == Shape{10, 128});
    }
    SUBCASE("paper") {
        auto g = make_generator(Arch::paper, 100, 10, gen);
        CHECK(names(g->named_parameters()) == V{"fc_z.weight", "fc_z.bias", "fc_y.weight", "fc_y.bias",
                                                "fc_joint.weight", "fc_joint.bias", "fc_out.weight", "fc_out.bias"});
        CHECK(param(*g, "fc_joint.weight").shape() == Shape{1200, 1200});
        auto d = make_discriminator(Arch::paper, 10, 10, gen, drop_gen);
        CHECK(names(d->named_parameters()) ==
              V{"maxout_x.linear.weight", "maxout_x.linear.bias", "maxout_y.linear.weight", "maxout_y.linear.bias",
                "maxout_joint.linear.weight", "maxout_joint.linear.bias", "fc_out.weight", "fc_out.bias",
                "aux.weight", "aux.bias"});
        CHECK(param(*d, "maxout_x.linear.weight").shape() == Shape{1200, 784});  // 240 units × 5 pieces
        CHECK(param(*d, "maxout_y.linear.weight").shape() == Shape{250, 10});    // 50 units × 5 pieces
        CHECK(param(*d, "maxout_joint.linear.weight").shape() == Shape{960, 290});  // 240 × 4, from 240 + 50
    }
    SUBCASE("dcgan") {
        auto g = make_generator(Arch::dcgan, 100, 10, gen);
        CHECK(names(g->named_parameters()) == V{"fc.weight", "fc.bias", "bn0.weight", "bn0.bias", "conv1.weight",
                                                "conv1.bias", "bn1.weight", "bn1.bias", "conv2.weight",
                                                "conv2.bias"});
        CHECK(names(g->named_buffers()) ==
              V{"bn0.running_mean", "bn0.running_var", "bn1.running_mean", "bn1.running_var"});
        CHECK(param(*g, "fc.weight").shape() == Shape{3136, 110});        // to (64, 7, 7)
        CHECK(param(*g, "conv1.weight").shape() == Shape{32, 64, 3, 3});  // (out, in, kh, kw)
        CHECK(param(*g, "conv2.weight").shape() == Shape{1, 32, 3, 3});
        auto d = make_discriminator(Arch::dcgan, 10, 10, gen, drop_gen);
        CHECK(names(d->named_parameters()) == V{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                                "fc.weight", "fc.bias", "embed.weight", "aux.weight",
                                                "aux.bias"});
        CHECK(names(d->named_buffers()).empty());  // no batch norm in D
        CHECK(param(*d, "conv1.weight").shape() == Shape{32, 1, 4, 4});  // the image alone: y enters at the end
        CHECK(param(*d, "conv2.weight").shape() == Shape{64, 32, 4, 4});
        CHECK(param(*d, "embed.weight").shape() == Shape{3136, 10});     // one vector v_y per class, as a column
        CHECK(param(*d, "aux.weight").shape() == Shape{10, 3136});
        CHECK(names(make_discriminator(Arch::dcgan, 0, 0, gen, drop_gen)->named_parameters()) ==
              V{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"});
    }
    SUBCASE("the plain GAN's networks have no label layers") {
        auto g = make_generator(Arch::paper, 100, 0, gen);
        CHECK(names(g->named_parameters()) ==
              V{"fc_z.weight", "fc_z.bias", "fc_joint.weight", "fc_joint.bias", "fc_out.weight", "fc_out.bias"});
        auto d = make_discriminator(Arch::paper, 0, 0, gen, drop_gen);
        CHECK(names(d->named_parameters()) == V{"maxout_x.linear.weight", "maxout_x.linear.bias",
                                                "maxout_joint.linear.weight", "maxout_joint.linear.bias",
                                                "fc_out.weight", "fc_out.bias"});
        CHECK(param(*make_generator(Arch::mlp, 100, 0, gen), "fc1.weight").shape() == Shape{256, 100});
    }
}

TEST_CASE("the same seed gives the same weights; another seed other weights") {
    for (Arch arch : kArchs) {
        CAPTURE(arch_name(arch));
        auto build = [arch](std::uint64_t seed) {
            Generator gen(seed), drop_gen(2);
            auto g = make_generator(arch, 100, 10, gen);
            auto d = make_discriminator(arch, 10, 10, gen, drop_gen);
            return std::pair{g->named_parameters(), d->named_parameters()};
        };
        const auto a = build(7), b = build(7), c = build(8);
        REQUIRE(a.first.size() == b.first.size());
        for (std::size_t i = 0; i < a.first.size(); ++i)
            CHECK(a.first[i].second.value() == b.first[i].second.value());
        for (std::size_t i = 0; i < a.second.size(); ++i)
            CHECK(a.second[i].second.value() == b.second[i].second.value());
        CHECK(a.first[0].second.value() != c.first[0].second.value());
        CHECK(a.second[0].second.value() != c.second[0].second.value());
        // PyTorch's Linear default: weights within ±1/√in (here the first layer of G, in = 110 for mlp).
        const Array& w = a.first[0].second.value();
        const float bound = 1.0f / std::sqrt(static_cast<float>(w.shape()[1]));
        CHECK(xt::amax(xt::abs(w))() <= bound);
        CHECK(xt::amax(xt::abs(w))() > 0.9f * bound);
    }
}

TEST_CASE("the label y changes the conditional networks' outputs") {
    for (Arch arch : kArchs) {
        CAPTURE(arch_name(arch));
        Generator gen(1), drop_gen(2);
        auto g = make_generator(arch, 100, 10, gen);
        auto d = make_discriminator(arch, 10, 10, gen, drop_gen);
        d->eval();  // no dropout: the only difference between the two calls is y
        const Tensor z = randn({8, 100}), x = images(arch, 8);
        const Tensor y1 = labels(8), y2 = labels(8, 3);
        for (bool training : {true, false}) {
            CAPTURE(training);
            g->train(training);
            const Array a = (*g)(z, y1).value(), b = (*g)(z, y2).value();
            CHECK(max_abs_diff(a, b) > 1e-5f);
            CHECK((*g)(z, y1).value() == a);  // and the same y gives the same images
        }
        const DiscOutput p = (*d)(x, y1), q = (*d)(x, y2);
        CHECK(max_abs_diff(p.logit.value(), q.logit.value()) > 1e-5f);
        if (arch == Arch::dcgan)  // projection: y enters the real/fake logit only, the class head sees the image alone
            CHECK(p.class_logits.value() == q.class_logits.value());
        else
            CHECK(max_abs_diff(p.class_logits.value(), q.class_logits.value()) > 1e-5f);
        CHECK((*d)(x, y1).logit.value() == p.logit.value());
    }
}

TEST_CASE("train() and eval(): dropout in D") {
    for (Arch arch : kArchs) {
        CAPTURE(arch_name(arch));
        Generator gen(1), drop_gen(2);
        auto d = make_discriminator(arch, 10, 0, gen, drop_gen);
        const Tensor x = images(arch, 8), y = labels(8);
        // Training: mlp and paper draw dropout masks from drop_gen (not from gen), so two
        // calls differ; article and dcgan have no dropout and draw nothing.
        const bool no_dropout = arch == Arch::article || arch == Arch::dcgan;
        const std::string gen_state = gen.state(), drop_state = drop_gen.state();
        const Array t1 = (*d)(x, y).logit.value(), t2 = (*d)(x, y).logit.value();
        CHECK(gen.state() == gen_state);
        if (no_dropout) {
            CHECK(t1 == t2);
            CHECK(drop_gen.state() == drop_state);
        } else {
            CHECK(max_abs_diff(t1, t2) > 1e-4f);
            CHECK(drop_gen.state() != drop_state);
        }
        // Eval: deterministic, and no draws.
        d->eval();
        const std::string eval_state = drop_gen.state();
        const Array e1 = (*d)(x, y).logit.value();
        CHECK((*d)(x, y).logit.value() == e1);
        CHECK(drop_gen.state() == eval_state);
        if (no_dropout)
            CHECK(e1 == t1);  // nothing else differs between train() and eval() in D
        else
            CHECK(max_abs_diff(t1, e1) > 1e-4f);
    }
}

TEST_CASE("train() and eval(): mlp and dcgan G normalise with the batch in training, the running statistics in eval") {
    for (Arch arch : {Arch::mlp, Arch::dcgan}) {
        CAPTURE(arch_name(arch));
        Generator gen(1);
        auto g = make_generator(arch, 100, 10, gen);
        const Tensor z = randn({16, 100}), y = labels(16);
        // A sample's image depends on the rest of its batch in training mode only.
        const Tensor full = (*g)(z, y);
        const Array half = (*g)(slice_rows(z, 0, 8), slice_rows(y, 0, 8)).value();
        CHECK(max_abs_diff(slice_rows(full, 0, 8).value(), half) > 1e-4f);
        g->eval();
        const Tensor full_e = (*g)(z, y);
        const Array half_e = (*g)(slice_rows(z, 0, 8), slice_rows(y, 0, 8)).value();
        CHECK(all_close(slice_rows(full_e, 0, 8).value(), half_e, 1e-5f));
        // The training calls moved the running statistics away from their initial 0 and 1.
        for (const auto& [name, b] : g->named_buffers()) {
            CAPTURE(name);
            const float init = name.find("mean") != std::string::npos ? 0.0f : 1.0f;
            CHECK(max_abs_diff(b.value(), xt::full_like(b.value(), init)) > 1e-4f);
        }
    }
}

TEST_CASE("gradient checks through whole networks: mlp") {
    check_network_gradients(Arch::mlp, 0);
    check_network_gradients(Arch::mlp, 10);
}
TEST_CASE("gradient checks through whole networks: article") {
    check_network_gradients(Arch::article, 0);
    check_network_gradients(Arch::article, 10);
}
TEST_CASE("gradient checks through whole networks: paper") {
    check_network_gradients(Arch::paper, 0);
    check_network_gradients(Arch::paper, 10);
}
TEST_CASE("gradient checks through whole networks: dcgan") {
    check_network_gradients(Arch::dcgan, 0);
    check_network_gradients(Arch::dcgan, 10);
}

TEST_CASE("errors") {
    Generator gen(1), drop_gen(2);
    auto gan_g = make_generator(Arch::mlp, 100, 0, gen);
    auto cgan_g = make_generator(Arch::paper, 100, 10, gen);
    auto gan_d = make_discriminator(Arch::article, 0, 0, gen, drop_gen);
    auto cgan_d = make_discriminator(Arch::mlp, 10, 0, gen, drop_gen);
    const Tensor z = randn({4, 100}), x = images(Arch::mlp, 4), y = labels(4);

    SUBCASE("a label for an unconditional network") {
        CHECK_THROWS_WITH_AS((*gan_g)(z, y),
                             "mlp generator: the network is unconditional (classes = 0) and takes no label; "
                             "pass an empty Tensor() as y, not (4, 10)",
                             std::invalid_argument);
        CHECK_THROWS_WITH_AS((*gan_d)(x, y),
                             "article discriminator: the network is unconditional (classes = 0) and takes no "
                             "label; pass an empty Tensor() as y, not (4, 10)",
                             std::invalid_argument);
    }
    SUBCASE("no label for a conditional network") {
        CHECK_THROWS_WITH_AS((*cgan_g)(z, Tensor()),
                             "paper generator: the network is conditional (classes = 10) and needs the one-hot "
                             "labels y (batch, 10); got an empty Tensor",
                             std::invalid_argument);
        CHECK_THROWS_WITH_AS((*cgan_d)(x, Tensor()),
                             "mlp discriminator: the network is conditional (classes = 10) and needs the one-hot "
                             "labels y (batch, 10); got an empty Tensor",
                             std::invalid_argument);
    }
    SUBCASE("labels of the wrong shape") {
        CHECK_THROWS_WITH_AS((*cgan_g)(z, labels(3)),
                             "paper generator: y (3, 10) does not fit z (4, 100): expected (4, 10), "
                             "one one-hot row per sample",
                             ShapeError);
        CHECK_THROWS_WITH_AS((*cgan_d)(x, one_hot({1, 2, 3, 4}, 5)),
                             "mlp discriminator: y (4, 5) does not fit x (4, 784): expected (4, 10), "
                             "one one-hot row per sample",
                             ShapeError);
    }
    SUBCASE("z and x of the wrong shape") {
        CHECK_THROWS_WITH_AS((*gan_g)(randn({4, 50}), Tensor()),
                             "mlp generator: z (4, 50) has 50 features, expected 100", ShapeError);
        CHECK_THROWS_WITH_AS((*cgan_g)(randn({100}), y), "paper generator: z (100,) must be 2-D (batch, 100)",
                             ShapeError);
        CHECK_THROWS_WITH_AS((*gan_d)(randn({4, 28, 28}), Tensor()),
                             "article discriminator: x (4, 28, 28) must be 2-D (batch, 784)", ShapeError);
        // A CGAN discriminator given [x ‖ y] already joined: the label is concatenated inside.
        CHECK_THROWS_WITH_AS((*cgan_d)(concat({x, y}, 1), y),
                             "mlp discriminator: x (4, 794) has 794 features, expected 784", ShapeError);
        auto dc_d = make_discriminator(Arch::dcgan, 10, 0, gen, drop_gen);  // x is reshaped to an image inside
        CHECK_THROWS_WITH_AS((*dc_d)(randn({4, 1, 28, 28}), y),
                             "dcgan discriminator: x (4, 1, 28, 28) must be 2-D (batch, 784)", ShapeError);
        CHECK_THROWS_WITH_AS((*make_generator(Arch::dcgan, 100, 10, gen))(z, labels(5)),
                             "dcgan generator: y (5, 10) does not fit z (4, 100): expected (4, 10), "
                             "one one-hot row per sample",
                             ShapeError);
        CHECK_THROWS_WITH_AS((*gan_g)(Tensor(), Tensor()),
                             "mlp generator: z is an empty Tensor; pass a (batch, 100) tensor", std::invalid_argument);
    }
    SUBCASE("z_dim 0") {
        CHECK_THROWS_WITH_AS(make_generator(Arch::mlp, 0, 10, gen), "make_generator: z_dim must be at least 1",
                             std::invalid_argument);
    }
}
