// introspect.cpp — the tape as a table and as a Graphviz graph.
#include "introspect.hpp"

#include <iomanip>
#include <set>
#include <sstream>

namespace xgrad {

namespace {
std::string join_labels(const std::vector<Tensor>& xs) {
    std::string s;
    for (std::size_t i = 0; i < xs.size(); ++i) s += (i ? ", " : "") + xs[i].label();
    return s;
}
}  // namespace

void print_tape(std::ostream& os, const Tape& tape) {
    os << std::left << std::setw(5) << "#" << std::setw(14) << "op" << std::setw(26) << "inputs" << std::setw(10)
       << "output" << "shape\n";
    const auto& es = tape.entries();
    for (std::size_t i = 0; i < es.size(); ++i) {
        const TapeEntry& e = es[i];
        os << std::setw(5) << i << std::setw(14) << e.op;
        if (e.freed) {
            os << "(freed by backward)\n";
            continue;
        }
        const Tensor out = e.output_tensor();
        if (!out.defined()) {
            os << std::setw(26) << join_labels(e.inputs) << "(output dropped)\n";
            continue;
        }
        os << std::setw(26) << join_labels(e.inputs) << std::setw(10) << out.label() << shape_str(out.shape())
           << "\n";
    }
}

std::string tape_table(const Tape& tape) {
    std::ostringstream os;
    print_tape(os, tape);
    return os.str();
}

std::string tape_to_dot(const Tape& tape) {
    std::ostringstream os;
    os << "digraph tape {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
    std::set<std::uint64_t> drawn;
    auto tensor_node = [&](const Tensor& t) {
        if (!drawn.insert(t.id()).second) return;
        os << "  v" << t.id() << " [shape=ellipse, label=\"" << t.label() << "\\n" << shape_str(t.shape())
           << "\"" << (t.is_leaf() && t.requires_grad() ? ", style=filled, fillcolor=lightblue" : "") << "];\n";
    };
    const auto& es = tape.entries();
    for (std::size_t i = 0; i < es.size(); ++i) {
        const TapeEntry& e = es[i];
        if (e.freed) continue;
        os << "  op" << i << " [shape=box, label=\"#" << i << " " << e.op << "\"];\n";
        for (const Tensor& in : e.inputs) {
            tensor_node(in);
            os << "  v" << in.id() << " -> op" << i << ";\n";
        }
        const Tensor out = e.output_tensor();
        if (!out.defined()) continue;  // a dropped result: nothing to draw past the op
        tensor_node(out);
        os << "  op" << i << " -> v" << out.id() << ";\n";
    }
    os << "}\n";
    return os.str();
}

}  // namespace xgrad
