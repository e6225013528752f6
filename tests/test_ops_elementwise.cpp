// test_ops_elementwise.cpp — (being written)
#include "check.hpp"
