// test_introspect.cpp — the tape table and the DOT export, checked line by line.
#include "check.hpp"

using namespace xgrad;

TEST_CASE("tape table") {
    clear_tape();
    Tensor x = Tensor(Array{1.f, 2.f}, true).set_name("x");
    Tensor w = Tensor(Array{3.f, 4.f}, true).set_name("w");
    Tensor y = x * w;
    Tensor z = exp(y);
    const std::string expected =
        "#    op            inputs                    output    shape\n"
        "0    mul           x, w                      t0        (2,)\n"
        "1    exp           t0                        t1        (2,)\n";
    CHECK(tape_table() == expected);
    z.backward(Array{1.f, 1.f});
    CHECK(tape_table() == "#    op            inputs                    output    shape\n");  // reset after backward
}

TEST_CASE("tape table marks entries a backward released") {
    clear_tape();
    Tensor x = Tensor::scalar(1.0f, true).set_name("x");
    Tensor a = (x * 2.0f).set_name("a");
    Tensor b = (x + 1.0f).set_name("b");
    a.backward();  // releases entry 0 only; entry 1 is another graph
    CHECK(tape_table() ==
          "#    op            inputs                    output    shape\n"
          "0    mul_scalar    (freed by backward)\n"
          "1    add_scalar    x                         b         ()\n");
    clear_tape();
}

TEST_CASE("DOT export") {
    clear_tape();
    Tensor x = Tensor(Array{1.f, 2.f}, true).set_name("x");
    Tensor c = Tensor(Array{5.f, 6.f}).set_name("c");
    Tensor y = (x * c).set_name("y");
    const std::string dot = tape_to_dot();
    const std::string vx = "v" + std::to_string(x.id()), vc = "v" + std::to_string(c.id()),
                      vy = "v" + std::to_string(y.id());
    CHECK(dot.rfind("digraph tape {\n", 0) == 0);
    CHECK(dot.find("  op0 [shape=box, label=\"#0 mul\"];\n") != std::string::npos);
    CHECK(dot.find("  " + vx + " [shape=ellipse, label=\"x\\n(2,)\", style=filled, fillcolor=lightblue];\n") !=
          std::string::npos);
    CHECK(dot.find("  " + vc + " [shape=ellipse, label=\"c\\n(2,)\"];\n") != std::string::npos);
    CHECK(dot.find("  " + vx + " -> op0;\n") != std::string::npos);
    CHECK(dot.find("  " + vc + " -> op0;\n") != std::string::npos);
    CHECK(dot.find("  op0 -> " + vy + ";\n") != std::string::npos);
    CHECK(dot.substr(dot.size() - 2) == "}\n");
    clear_tape();
}
