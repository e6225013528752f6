// side_by_side.cpp — paste PNGs left to right into one picture:
//   side_by_side OUT.png A.png B.png [...]
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "examples/common/image.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: side_by_side OUT.png IN.png [IN.png ...]\n");
        return 2;
    }
    try {
        xgrad::examples::paste_side_by_side(argv[1], std::vector<std::string>(argv + 2, argv + argc));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "side_by_side: %s\n", e.what());
        return 1;
    }
    return 0;
}
