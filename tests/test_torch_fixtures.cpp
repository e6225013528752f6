// test_torch_fixtures.cpp — the convolution-family ops against PyTorch. A gradient
// check proves an op agrees with its own forward; it cannot tell whether the forward
// means what PyTorch means (padding, output_padding, the transposed convolution's
// weight layout, the unbiased running variance). Each file in tests/fixtures/, made by
// tests/fixtures/make_torch_fixtures.py, holds seeded inputs, PyTorch's output and the
// gradients of sum(out · grad_out) with respect to every input. Here xgrad runs the same
// op with the same arguments and must agree with every number:
//     |xgrad − torch| ≤ 1e-5 · (|torch| + 1)      (PyTorch computed in float64)
#include "check.hpp"
#include "files.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace xgrad;
namespace fs = std::filesystem;

namespace {

const fs::path fixture_dir = fs::path(XGRAD_SOURCE_ROOT) / "tests" / "fixtures";
constexpr float tolerance = 1e-5f;

// One case: the op's name, its integer and float arguments, and its named arrays.
struct Fixture {
    std::string name, op;
    std::map<std::string, std::vector<std::size_t>> ints;
    std::map<std::string, float> floats;
    std::map<std::string, Array> arrays;

    bool has(const std::string& key) const { return ints.count(key) || arrays.count(key); }
    Size2 size2(const std::string& key) const {
        const auto& v = ints.at(key);
        return v.size() == 1 ? Size2(v[0]) : Size2(v.at(0), v.at(1));
    }
};

// Read one file of make_torch_fixtures.py's format: a stream of tokens
//   op NAME | int NAME V... | float NAME V | array NAME RANK D1..DRANK VALUES...
// where # starts a comment line. std::runtime_error "<file>: ..." when it is not that.
Fixture load_fixture(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path.string() + ": cannot open");
    auto bad = [&](const std::string& what) { return std::runtime_error(path.string() + ": " + what); };
    Fixture f;
    f.name = path.stem().string();
    std::string line, text;
    while (std::getline(in, line))
        if (line.empty() || line[0] != '#') text += line + '\n';
    std::istringstream lines(text);
    while (std::getline(lines, line)) {
        std::istringstream s(line);  // one line: "int" lines carry a variable number of values
        std::string kind, key;
        if (!(s >> kind)) continue;
        if (!(s >> key)) throw bad("bad line '" + line + "'");
        if (kind == "op") {
            f.op = key;
        } else if (kind == "int") {
            for (std::size_t v; s >> v;) f.ints[key].push_back(v);
        } else if (kind == "float") {
            if (!(s >> f.floats[key])) throw bad("bad line '" + line + "'");
        } else if (kind == "array") {
            std::size_t rank = 0;
            s >> rank;
            Shape shape(rank);
            for (auto& d : shape) s >> d;
            if (!s) throw bad("bad line '" + line + "'");
            Array a = Array::from_shape(shape);  // its values follow, over as many lines as they take
            for (std::size_t i = 0; i < a.size(); ++i)
                if (!(lines >> a.data()[i])) throw bad("array " + key + " is short");
            f.arrays[key] = std::move(a);
            std::getline(lines, line);  // the rest of the last values line
        } else {
            throw bad("unknown line '" + line + "'");
        }
    }
    if (f.op.empty()) throw bad("no op line");
    return f;
}

// Every fixture of one op, in file-name order.
std::vector<Fixture> fixtures_of(const std::string& op) {
    std::vector<fs::path> paths;
    for (const auto& entry : fs::directory_iterator(fixture_dir))
        if (entry.path().extension() == ".txt") paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    std::vector<Fixture> out;
    for (const auto& p : paths) {
        Fixture f = load_fixture(p);
        if (f.op == op) out.push_back(std::move(f));
    }
    return out;
}

// "(1, 0, 2, 3)": the position of element `flat` of an array of this shape.
std::string index_str(std::size_t flat, const Shape& shape) {
    Shape index(shape.size());
    for (std::size_t k = shape.size(); k-- > 0;) {
        index[k] = flat % shape[k];
        flat /= shape[k];
    }
    return shape_str(index);
}

// "" when got matches want (same shape, every element within tolerance); otherwise a
// line naming the worst element: "at (0, 1, 2, 0): xgrad 0.51, torch 0.5 (4 of 96 elements off)".
std::string mismatch(const Array& got, const Array& want) {
    if (got.shape() != want.shape())
        return "shape " + shape_str(got.shape()) + ", torch " + shape_str(want.shape());
    std::size_t worst = 0, off = 0;
    float worst_excess = 0.0f;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const float g = got.data()[i], w = want.data()[i];
        const float excess = std::abs(g - w) / (tolerance * (std::abs(w) + 1.0f));
        if (!(excess <= 1.0f)) {  // also catches NaN
            ++off;
            if (!(excess <= worst_excess)) worst_excess = excess, worst = i;
        }
    }
    if (off == 0) return "";
    std::ostringstream s;
    s.precision(9);
    s << "at " << index_str(worst, want.shape()) << ": xgrad " << got.data()[worst] << ", torch "
      << want.data()[worst] << " (" << off << " of " << want.size() << " elements off)";
    return s.str();
}

// What one case checks: out, then grad_<name> for every input that requires a
// gradient, then any extra arrays the op updates in place (running statistics).
void check_case(const Fixture& f, const std::map<std::string, Tensor>& inputs, const Tensor& out,
                const std::map<std::string, Tensor>& updated = {}) {
    auto check_array = [&](const std::string& what, const Array& got, const std::string& key) {
        const std::string problem = mismatch(got, f.arrays.at(key));
        INFO(f.name << ": " << what << " " << problem);
        CHECK(problem.empty());
    };
    check_array("forward", out.value(), "out");
    if (out.shape() != f.arrays.at("out").shape()) return;  // no backward from a wrong shape
    out.backward(f.arrays.at("grad_out"));
    for (const auto& [name, t] : inputs) {
        if (!t.requires_grad()) continue;
        REQUIRE_MESSAGE(f.arrays.count("grad_" + name), f.name << ": no grad_" << name);
        check_array("gradient of " + name, t.grad(), "grad_" + name);
    }
    for (const auto& [key, t] : updated) check_array(key, t.value(), key);
}

// The fixture's arrays as tensors; x, weight and bias take part in the gradient.
std::map<std::string, Tensor> tensors_of(const Fixture& f) {
    std::map<std::string, Tensor> t;
    for (const auto& [name, a] : f.arrays)
        if (name == "x" || name == "weight" || name == "bias" || name == "running_mean" || name == "running_var")
            t[name] = Tensor(a, name == "x" || name == "weight" || name == "bias");
    return t;
}

// The input named `name`, or an empty handle when the case has none (no bias).
Tensor optional(const std::map<std::string, Tensor>& t, const std::string& name) {
    auto it = t.find(name);
    return it == t.end() ? Tensor() : it->second;
}

// Run every fixture of `op` through `run` (the xgrad op on the fixture's inputs) and check it.
void check_op(const std::string& op, const std::function<Tensor(const Fixture&, std::map<std::string, Tensor>&)>& run) {
    const std::vector<Fixture> cases = fixtures_of(op);
    REQUIRE_MESSAGE(!cases.empty(), "no fixture for " << op << " in " << fixture_dir.string());
    for (const Fixture& f : cases) {
        std::map<std::string, Tensor> t = tensors_of(f);
        const Tensor out = run(f, t);
        std::map<std::string, Tensor> updated;
        if (f.arrays.count("running_mean_out")) updated["running_mean_out"] = t.at("running_mean");
        if (f.arrays.count("running_var_out")) updated["running_var_out"] = t.at("running_var");
        check_case(f, t, out, updated);
    }
    MESSAGE(op << ": " << cases.size() << " cases compared with PyTorch");
}

}  // namespace

TEST_CASE("the fixture reader and the comparison: a difference is found and its worst element named") {
    const Fixture f = load_fixture(fixture_dir / "conv2d_basic.txt");
    CHECK(f.op == "conv2d");
    CHECK(f.size2("stride") == Size2(1));
    CHECK(f.arrays.at("x").shape() == Shape{2, 3, 6, 7});
    CHECK(f.arrays.at("grad_weight").shape() == f.arrays.at("weight").shape());

    Array want = f.arrays.at("out"), got = want;
    CHECK(mismatch(got, want).empty());
    got(1, 2, 0, 3) += 1e-2f * (1.0f + std::abs(want(1, 2, 0, 3)));  // 1000 times the tolerance
    got(0, 0, 0, 0) += 1e-4f * (1.0f + std::abs(want(0, 0, 0, 0)));  // 10 times
    CHECK(mismatch(got, want).rfind("at (1, 2, 0, 3): xgrad ", 0) == 0);
    CHECK(mismatch(got, want).find("(2 of 160 elements off)") != std::string::npos);
    CHECK(mismatch(Array::from_shape({2, 2}), Array::from_shape({4})) == "shape (2, 2), torch (4,)");

    testing::TempDir dir;
    testing::write_file(dir / "short.txt", "op conv2d\narray x 2 2 2\n1 2\n3\n");
    CHECK_FAILS_WITH(load_fixture(dir / "short.txt"), dir / "short.txt" + ": array x is short");
    testing::write_file(dir / "odd.txt", "op conv2d\nstride 2 2\n");
    CHECK_FAILS_WITH(load_fixture(dir / "odd.txt"), dir / "odd.txt" + ": unknown line 'stride 2 2'");
}

TEST_CASE("conv2d agrees with PyTorch") {
    check_op("conv2d", [](const Fixture& f, std::map<std::string, Tensor>& t) {
        return conv2d(t.at("x"), t.at("weight"), optional(t, "bias"), f.size2("stride"), f.size2("padding"),
                      f.size2("dilation"));
    });
}

TEST_CASE("conv2d_reference agrees with PyTorch (forward)") {
    for (const Fixture& f : fixtures_of("conv2d")) {
        const Array bias = f.arrays.count("bias") ? f.arrays.at("bias") : Array();
        const Array out = conv2d_reference(f.arrays.at("x"), f.arrays.at("weight"), bias, f.size2("stride"),
                                           f.size2("padding"), f.size2("dilation"));
        const std::string problem = mismatch(out, f.arrays.at("out"));
        INFO(f.name << ": " << problem);
        CHECK(problem.empty());
    }
}

TEST_CASE("conv_transpose2d agrees with PyTorch (weight laid out (C, O, kh, kw) as in PyTorch)") {
    check_op("conv_transpose2d", [](const Fixture& f, std::map<std::string, Tensor>& t) {
        return conv_transpose2d(t.at("x"), t.at("weight"), optional(t, "bias"), f.size2("stride"),
                                f.size2("padding"), f.size2("output_padding"), f.size2("dilation"));
    });
}

TEST_CASE("max_pool2d agrees with PyTorch") {
    check_op("max_pool2d", [](const Fixture& f, std::map<std::string, Tensor>& t) {
        if (!f.has("stride")) return max_pool2d(t.at("x"), f.size2("kernel"));
        return max_pool2d(t.at("x"), f.size2("kernel"), f.size2("stride"), f.size2("padding"));
    });
}

TEST_CASE("avg_pool2d agrees with PyTorch (count_include_pad)") {
    check_op("avg_pool2d", [](const Fixture& f, std::map<std::string, Tensor>& t) {
        if (!f.has("stride")) return avg_pool2d(t.at("x"), f.size2("kernel"));
        return avg_pool2d(t.at("x"), f.size2("kernel"), f.size2("stride"), f.size2("padding"));
    });
}

TEST_CASE("upsample_nearest2d agrees with PyTorch") {
    check_op("upsample_nearest2d", [](const Fixture& f, std::map<std::string, Tensor>& t) {
        return upsample_nearest2d(t.at("x"), f.size2("scale"));
    });
}

TEST_CASE("batch_norm agrees with PyTorch: output, gradients and the updated running statistics") {
    check_op("batch_norm", [](const Fixture& f, std::map<std::string, Tensor>& t) {
        return batch_norm(t.at("x"), t.at("running_mean"), t.at("running_var"), optional(t, "weight"),
                          optional(t, "bias"), f.ints.at("training").at(0) != 0, f.floats.at("momentum"),
                          f.floats.at("eps"));
    });
}
