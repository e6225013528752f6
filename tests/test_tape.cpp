// test_tape.cpp — (being written)
#include "check.hpp"
