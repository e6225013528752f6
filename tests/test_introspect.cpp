// test_introspect.cpp — (being written)
#include "check.hpp"
