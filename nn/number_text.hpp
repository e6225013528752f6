// number_text.hpp — numbers as text and back, exactly, for error messages and
// checkpoint metadata: the shortest text that reads back as the same float, and
// a parse that accepts a string only if all of it is one number.
#pragma once

#include <charconv>
#include <string>
#include <system_error>

namespace xgrad::nn {

// The shortest text that reads back as the same float: 0.1f -> "0.1", 1.5f -> "1.5".
inline std::string float_text(float x) {
    char buf[32];  // always enough: the longest float text is 15 characters
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
    return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

// Reads s into out (an integer type, or float for what float_text wrote); false if s
// is not one number of that type from its first character to its last ("", "3x", " 3",
// out of range).
template <class T>
bool parse_whole(const std::string& s, T& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace xgrad::nn
