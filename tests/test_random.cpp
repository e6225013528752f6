// test_random.cpp — (being written)
#include "check.hpp"
