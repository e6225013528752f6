// test_tensor.cpp — (being written)
#include "check.hpp"
