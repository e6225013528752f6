// test_ops_loss.cpp — (being written)
#include "check.hpp"
