// test_gradcheck.cpp — (being written)
#include "check.hpp"
