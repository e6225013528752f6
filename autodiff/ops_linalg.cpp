// ops_linalg.cpp — (being written)
#include "ops_linalg.hpp"
