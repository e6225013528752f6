// autodiff_tour.cpp — the runs behind docs/autodiff.md: one small expression
// taken through the tape step by step, then accumulation, broadcasting,
// NoGrad/detach and gradient checking of an op you write yourself.
// Every number the page shows is printed here.
//
//   usage: autodiff_tour [tape|sweep|dot|accumulate|broadcast|nograd|gradcheck]
//          (no section: all of them except dot, which prints the tape as Graphviz DOT)
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include <xtensor/xmath.hpp>

#include "autodiff/autodiff.hpp"

using namespace xgrad;

namespace {

// "4.5", "[9, 12]", "[[6], [15]]": an array as nested lists, numbers with %g.
std::string str(const Array& a) {
    if (a.dimension() == 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", static_cast<double>(a()));
        return buf;
    }
    // Print the flat data, opening and closing brackets where an axis starts and ends.
    std::string s;
    const auto& shape = a.shape();
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::size_t inner = 1;  // how many axes start at element i
        for (std::size_t k = shape.size(); k-- > 0;) {
            inner *= shape[k];
            if (i % inner != 0) break;
            s += "[";
        }
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", static_cast<double>(a.data()[i]));
        s += buf;
        std::size_t closes = 0, block = 1;
        for (std::size_t k = shape.size(); k-- > 0;) {
            block *= shape[k];
            if ((i + 1) % block != 0) break;
            ++closes;
        }
        s += std::string(closes, ']');
        if (i + 1 < a.size()) s += ", ";
    }
    return s;
}

// ---------------------------------------------------------------------------
// The worked example: L = 0.5 (x y + x)^2 at x = 3, y = -2. x is used twice.

struct Worked {
    Tensor x, y, u, v, s, L;
};

Worked forward_worked() {
    Tensor x = Tensor::scalar(3.0f, /*requires_grad=*/true).set_name("x");
    Tensor y = Tensor::scalar(-2.0f, /*requires_grad=*/true).set_name("y");
    Tensor u = (x * y).set_name("u");         // tape entry #0
    Tensor v = (u + x).set_name("v");         // tape entry #1: x again
    Tensor s = pow(v, 2.0f).set_name("s");    // tape entry #2
    Tensor L = (0.5f * s).set_name("L");      // tape entry #3
    return {x, y, u, v, s, L};
}

void section_tape() {
    clear_tape();
    const Worked w = forward_worked();
    std::printf("L = 0.5 * (x*y + x)^2   at x = %s, y = %s\n", str(w.x.value()).c_str(), str(w.y.value()).c_str());
    std::printf("forward, one op at a time:\n");
    std::printf("  u = x * y    = %s\n", str(w.u.value()).c_str());
    std::printf("  v = u + x    = %s\n", str(w.v.value()).c_str());
    std::printf("  s = v^2      = %s\n", str(w.s.value()).c_str());
    std::printf("  L = 0.5 * s  = %s\n\n", str(w.L.value()).c_str());
    std::printf("the tape, in execution order:\n");
    print_tape(std::cout);
    clear_tape();
}

// The reverse sweep of Tape::run_backward, spelled out: the same loop over the
// same entries, with a print of what each backward function adds to its inputs.
void section_sweep() {
    clear_tape();
    const Worked w = forward_worked();
    std::printf("seed: dL/dL = 1, then the tape from its last entry to its first\n\n");
    std::printf("%-7s%-12s%-8s%-20s%s\n", "entry", "op", "output", "g = dL/d(output)", "add_grad to each input");
    w.L.add_grad(xt::ones<float>(w.L.shape()));
    const auto& entries = Tape::current().entries();
    for (std::size_t i = entries.size(); i-- > 0;) {
        const TapeEntry& e = entries[i];
        const Tensor out = e.output_tensor();
        std::vector<Array> before;  // each input's gradient so far
        for (const Tensor& in : e.inputs)
            before.push_back(in.has_grad() ? Array(in.grad()) : Array(xt::zeros<float>(in.shape())));

        e.backward(out.grad(), out.value());  // the op's own backward function

        std::string adds;
        for (std::size_t k = 0; k < e.inputs.size(); ++k) {
            const Tensor& in = e.inputs[k];
            if (!in.requires_grad()) continue;
            const Array added = in.grad() - before[k];
            adds += (adds.empty() ? "" : "   ") + in.label() + " += " + str(added);
        }
        std::printf("%-7s%-12s%-8s%-20s%s\n", ("#" + std::to_string(i)).c_str(), e.op, out.label().c_str(),
                    str(out.grad()).c_str(), adds.c_str());
    }
    std::printf("\nafter the sweep: dL/dx = %s   dL/dy = %s\n", str(w.x.grad()).c_str(), str(w.y.grad()).c_str());
    clear_tape();

    // The library's backward() on a fresh forward pass, and the derivative by hand.
    const Worked again = forward_worked();
    again.L.backward();
    std::printf("L.backward() gives the same: dL/dx = %s   dL/dy = %s\n", str(again.x.grad()).c_str(),
                str(again.y.grad()).c_str());
    std::printf("and leaves %zu entries on the tape: it released what it walked\n", Tape::current().size());
    const float x = 3.0f, y = -2.0f;
    std::printf("by hand, L = 0.5 x^2 (y + 1)^2: dL/dx = x (y + 1)^2 = %g   dL/dy = x^2 (y + 1) = %g\n",
                static_cast<double>(x * (y + 1) * (y + 1)), static_cast<double>(x * x * (y + 1)));
}

void section_dot() {
    clear_tape();
    const Worked w = forward_worked();
    std::cout << tape_to_dot();
    clear_tape();
}

// ---------------------------------------------------------------------------

void section_accumulate() {
    clear_tape();
    Tensor w = Tensor::scalar(3.0f, true).set_name("w");
    Tensor q = w * w;  // mul's backward adds g * b to a and g * a to b: both are w
    q.backward();
    std::printf("q = w * w at w = %s: dq/dw = %s, one w from each of mul's two inputs\n\n", str(w.value()).c_str(),
                str(w.grad()).c_str());

    w.zero_grad();
    Tensor loss = w * w;
    loss.backward();
    std::printf("after zero_grad, backward once:       w.grad = %s\n", str(w.grad()).c_str());
    loss = w * w;
    loss.backward();
    std::printf("forward and backward again, no zero:  w.grad = %s\n", str(w.grad()).c_str());
    w.zero_grad();
    loss = w * w;
    loss.backward();
    std::printf("zero_grad, forward and backward:      w.grad = %s\n", str(w.grad()).c_str());
}

void section_broadcast() {
    clear_tape();
    Tensor x = Tensor(Array{{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}}).set_name("x");
    Tensor w = Tensor(Array{10.0f, -1.0f}, true).set_name("w");
    Tensor y = (x * w).set_name("y");
    Tensor loss = sum(y).set_name("loss");
    std::printf("x %s = %s   w %s = %s\n", shape_str(x.shape()).c_str(), str(x.value()).c_str(),
                shape_str(w.shape()).c_str(), str(w.value()).c_str());
    std::printf("y = x * w repeats w on every row: y %s = %s\n", shape_str(y.shape()).c_str(),
                str(y.value()).c_str());
    std::printf("loss = sum(y) = %s\n\n", str(loss.value()).c_str());

    // What mul's backward computes for w, in two steps.
    const Array g = xt::ones<float>(y.shape());  // dloss/dy: sum's backward spreads 1 everywhere
    const Array gx = g * x.value();
    std::printf("mul's backward for w: g * x %s = %s\n", shape_str(gx.shape()).c_str(), str(gx).c_str());
    std::printf("sum_to(g * x, %s) adds up the rows: %s\n", shape_str(w.shape()).c_str(),
                str(sum_to(gx, w.shape())).c_str());
    loss.backward();
    std::printf("loss.backward():                   w.grad = %s\n\n", str(w.grad()).c_str());

    const Array a = {{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}};
    std::printf("sum_to on its own, a (2, 3) = %s:\n", str(a).c_str());
    for (const Shape& to : {Shape{3}, Shape{1, 3}, Shape{2, 1}, Shape{}})
        std::printf("  sum_to(a, %s) = %s\n", shape_str(to).c_str(), str(sum_to(a, to)).c_str());
}

void section_nograd() {
    clear_tape();
    Tensor w = Tensor::scalar(2.0f, true).set_name("w");
    {
        NoGrad no_grad;
        Tensor y = w * w;
        std::printf("inside NoGrad:  y = w * w = %s   y.requires_grad() = %s   tape entries: %zu\n",
                    str(y.value()).c_str(), y.requires_grad() ? "true" : "false", Tape::current().size());
    }
    Tensor y = w * w;
    std::printf("after it:       y = w * w = %s   y.requires_grad() = %s   tape entries: %zu\n\n",
                str(y.value()).c_str(), y.requires_grad() ? "true" : "false", Tape::current().size());
    y.backward();
    std::printf("z = w * w:           dz/dw = %s   (2w: both factors depend on w)\n", str(w.grad()).c_str());
    w.zero_grad();
    Tensor z = w * w.detach();
    z.backward();
    std::printf("z = w * w.detach():  dz/dw = %s   (w: the detached factor is a constant)\n", str(w.grad()).c_str());
}

// ---------------------------------------------------------------------------
// An op of your own, written like the library's: the forward, then record()
// with the backward function.
// softsign: y = x / (1 + |x|)       dx = g / (1 + |x|)^2

Tensor softsign(const Tensor& x) {
    Array out = x.value() / (1.0f + xt::abs(x.value()));
    return record("softsign", std::move(out), {x}, [x](const Array& g, const Array&) {
        x.add_grad(g / xt::square(1.0f + xt::abs(x.value())));
    });
}

// The same op with a typical mistake: the square in the derivative is missing.
Tensor softsign_wrong(const Tensor& x) {
    Array out = x.value() / (1.0f + xt::abs(x.value()));
    return record("softsign", std::move(out), {x}, [x](const Array& g, const Array&) {
        x.add_grad(g / (1.0f + xt::abs(x.value())));
    });
}

void section_gradcheck() {
    clear_tape();
    // sum() makes the output a scalar, so each analytic value is softsign'(x_j) itself.
    const Tensor x(Array{-2.0f, -0.5f, 0.25f, 1.5f});
    GradcheckResult right = gradcheck([](const std::vector<Tensor>& in) { return sum(softsign(in[0])); }, {x});
    GradcheckResult wrong = gradcheck([](const std::vector<Tensor>& in) { return sum(softsign_wrong(in[0])); }, {x});
    std::printf("x = %s\n", str(x.value()).c_str());
    std::printf("sum(softsign(x)):        %s\n", right.report().c_str());
    std::printf("sum(softsign_wrong(x)):  %s\n", wrong.report().c_str());

    // Library ops, two inputs, a (2, 2) output: gradcheck projects it to a scalar.
    const Tensor a(Array{{0.5f, -1.0f}, {2.0f, 0.1f}});
    const Tensor b(Array{0.3f, -0.7f});
    GradcheckResult f =
        gradcheck([](const std::vector<Tensor>& in) { return tanh(in[0] * in[1]) + pow(in[0], 2.0f); }, {a, b});
    std::printf("tanh(a*b) + a^2:         %s\n", f.report().c_str());
}

struct Section {
    const char* name;
    void (*run)();
};
constexpr Section kSections[] = {
    {"tape", section_tape},           {"sweep", section_sweep},   {"accumulate", section_accumulate},
    {"broadcast", section_broadcast}, {"nograd", section_nograd}, {"gradcheck", section_gradcheck},
};

}  // namespace

int main(int argc, char** argv) {
    if (argc > 2) {
        std::fprintf(stderr, "usage: autodiff_tour [section]\n");
        return 2;
    }
    if (argc == 2 && std::strcmp(argv[1], "dot") == 0) {
        section_dot();
        return 0;
    }
    bool found = false;
    for (const Section& s : kSections) {
        if (argc == 2 && std::strcmp(argv[1], s.name) != 0) continue;
        if (argc == 1) std::printf("%s== %s ==\n", found ? "\n" : "", s.name);
        s.run();
        found = true;
    }
    if (!found) {
        std::fprintf(stderr,
                     "autodiff_tour: unknown section '%s' (use: tape, sweep, dot, accumulate, broadcast, nograd, "
                     "gradcheck)\n",
                     argv[1]);
        return 2;
    }
    return 0;
}
