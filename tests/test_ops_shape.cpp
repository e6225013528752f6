// test_ops_shape.cpp — (being written)
#include "check.hpp"
