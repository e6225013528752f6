// test_ops_random.cpp — (being written)
#include "check.hpp"
