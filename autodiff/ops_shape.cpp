// ops_shape.cpp — (being written)
#include "ops_shape.hpp"
