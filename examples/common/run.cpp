// run.cpp — shuffling, labels, pixel scaling, the non-finite check, the grids' names.
#include "run.hpp"

#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

namespace xgrad::examples {

Indices shuffled_indices(std::size_t n, Generator& rng) {
    Indices order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.randint(i)]);
    return order;
}

Indices random_labels(std::size_t n, std::size_t classes, Generator& rng) {
    Indices y(n);
    for (auto& label : y) label = rng.randint(classes);
    return y;
}

Indices wrong_labels(const Indices& labels, std::size_t classes, Generator& rng) {
    if (classes < 2) throw std::invalid_argument("wrong_labels: needs at least 2 classes");
    Indices y(labels.size());
    // A uniform draw from the other classes-1: draw from 0..classes-2 and skip the true label.
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const std::size_t r = rng.randint(classes - 1);
        y[i] = r >= labels[i] ? r + 1 : r;
    }
    return y;
}

Indices take(const Indices& all, const Indices& order, std::size_t begin, std::size_t end) {
    Indices out;
    out.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) out.push_back(all[order[i]]);
    return out;
}

Array to_pixel_range(const Array& unit, PixelRange range) { return unit * (range.hi - range.lo) + range.lo; }
Array to_unit_range(const Array& pixels, PixelRange range) { return (pixels - range.lo) / (range.hi - range.lo); }

void check_finite(const std::string& name, float value, std::int64_t step, std::int64_t epoch) {
    if (std::isfinite(value)) return;
    std::ostringstream os;
    os << "step " << step << " (epoch " << epoch << "): " << name << " is " << (std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf");
    throw NonFiniteLoss(os.str());
}

std::vector<std::filesystem::path> sample_grid_paths(const std::filesystem::path& out, std::int64_t epoch,
                                                     bool only_missing) {
    char name[64];
    std::snprintf(name, sizeof name, "samples_epoch_%03lld.png", static_cast<long long>(epoch));
    const std::filesystem::path of_epoch = out / name, latest = out / "samples.png";
    if (!only_missing) return {of_epoch, latest};
    std::error_code ec;
    if (!std::filesystem::exists(of_epoch, ec)) return {of_epoch, latest};
    if (!std::filesystem::exists(latest, ec)) return {latest};
    return {};
}

}  // namespace xgrad::examples
