// ops_reduce.cpp — (being written)
#include "ops_reduce.hpp"
