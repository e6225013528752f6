// test_ops_linalg.cpp — (being written)
#include "check.hpp"
