// introspect.hpp — look at the tape: as a table (index, op, inputs, output
// shape) and as a Graphviz DOT graph (tensors as ellipses, ops as boxes).
#pragma once

#include <ostream>
#include <string>

#include "tape.hpp"

namespace xgrad {

// One row per entry:  #  op  inputs  output  shape.
void print_tape(std::ostream& os, const Tape& tape = Tape::current());
std::string tape_table(const Tape& tape = Tape::current());

// A DOT digraph of the live entries; render with `dot -Tpng tape.dot -o tape.png`.
std::string tape_to_dot(const Tape& tape = Tape::current());

}  // namespace xgrad
