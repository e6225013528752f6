// ops_random.cpp — (being written)
#include "ops_random.hpp"
