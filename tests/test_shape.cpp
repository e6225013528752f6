// test_shape.cpp — (being written)
#include "check.hpp"
