// tape_demo.cpp — the smallest complete picture of reverse-mode autodiff:
// one sigmoid neuron, its loss, the tape the forward pass records, the
// gradients the reverse sweep computes, and the same gradients by hand.
//
//   usage: tape_demo [graph.dot]      (writes the tape as a Graphviz graph)
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "autodiff/autodiff.hpp"
#include "nn/atomic_file.hpp"

using namespace xgrad;

const char* const kUsage =
    "usage: tape_demo [graph.dot]\n"
    "One sigmoid neuron: its forward pass, the tape it records, the gradients of the\n"
    "reverse sweep, the same by hand, and a gradient check. The tape is also written\n"
    "as a Graphviz graph to graph.dot (default: tape_demo.dot).\n";

// The command line: --help, or at most one path, where the graph goes. Returns the
// exit status to stop with (0 after --help, 2 for a command line it cannot use).
std::optional<int> read_arguments(int argc, char** argv, std::string& dot_path) {
    int paths = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (arg.starts_with("-")) {
            std::fprintf(stderr, "tape_demo: unknown option %s (usage: tape_demo [graph.dot])\n", arg.c_str());
            return 2;
        }
        if (++paths > 1) {
            std::fprintf(stderr, "tape_demo: one path only, got %s and %s (usage: tape_demo [graph.dot])\n",
                         dot_path.c_str(), arg.c_str());
            return 2;
        }
        dot_path = arg;
    }
    return std::nullopt;
}

int main(int argc, char** argv) {
    std::string dot_path = "tape_demo.dot";
    if (const auto stop = read_arguments(argc, argv, dot_path)) return *stop;
    // Checked first: a path it cannot write stops it before any output. (Only checked:
    // opening it now could block on a FIFO and would truncate an old graph.)
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path dir = fs::path(dot_path).has_parent_path() ? fs::path(dot_path).parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec) || (fs::exists(dot_path, ec) && !fs::is_regular_file(dot_path, ec))) {
        std::fprintf(stderr, "tape_demo: cannot write %s\n", dot_path.c_str());
        return 1;
    }

    // Inputs (constants) and parameters (leaves that require grad).
    Tensor x = Tensor(Array{1.5f, -0.5f}).set_name("x");
    Tensor w = Tensor(Array{0.8f, 0.3f}, true).set_name("w");
    Tensor b = Tensor::scalar(0.1f, true).set_name("b");
    const float t = 1.0f;  // target

    // Forward: every op runs now and, because w and b require grad, appends one
    // entry to the tape.
    Tensor z = (sum(w * x) + b).set_name("z");   // z = w·x + b
    Tensor y = sigmoid(z).set_name("y");         // y = σ(z)
    Tensor loss = pow(y - t, 2.0f).set_name("loss");

    std::printf("one sigmoid neuron: loss = (sigmoid(w.x + b) - t)^2\n");
    std::printf("x = [%g, %g]  w = [%g, %g]  b = %g  t = %g\n", x.value()(0), x.value()(1), w.value()(0),
                w.value()(1), b.item(), t);
    std::printf("forward: z = %.6f  y = %.6f  loss = %.6f\n\n", z.item(), y.item(), loss.item());

    std::printf("the tape, in execution order:\n");
    print_tape(std::cout);
    try {
        nn::write_file_atomically(dot_path, tape_to_dot());  // (nn/atomic_file.hpp: complete or not at all)
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "tape_demo: %s\n", e.what());
        return 1;
    }

    // Reverse sweep: seed dloss/dloss = 1, walk the tape backwards.
    loss.backward();
    std::printf("\nbackward(loss) walked it in reverse:\n");
    std::printf("  dloss/dy = %.6f   dloss/dz = %.6f\n", y.grad()(), z.grad()());
    std::printf("  dloss/dw = [%.6f, %.6f]   dloss/db = %.6f\n", w.grad()(0), w.grad()(1), b.grad()());

    // The same by hand, with the chain rule:
    //   dloss/dy = 2 (y - t),  dy/dz = y (1 - y),  dz/dw = x,  dz/db = 1
    const float yv = y.item();
    const float dz = 2.0f * (yv - t) * yv * (1.0f - yv);
    std::printf("\nby hand: dloss/dz = 2 (y - t) y (1 - y) = %.6f\n", dz);
    std::printf("         dloss/dw = dloss/dz * x = [%.6f, %.6f]   dloss/db = dloss/dz = %.6f\n",
                dz * x.value()(0), dz * x.value()(1), dz);

    // And against finite differences.
    GradcheckResult check = gradcheck(
        [&](const std::vector<Tensor>& p) { return pow(sigmoid(sum(p[0] * x) + p[1]) - t, 2.0f); },
        {w, b});
    std::printf("\n%s\n", check.report().c_str());
    std::printf("graph written to %s (render: dot -Tpng %s -o tape.png)\n", dot_path.c_str(), dot_path.c_str());
    return check.ok ? 0 : 1;
}
