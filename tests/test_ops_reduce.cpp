// test_ops_reduce.cpp — (being written)
#include "check.hpp"
