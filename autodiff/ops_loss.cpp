// ops_loss.cpp — (being written)
#include "ops_loss.hpp"
