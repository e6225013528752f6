// module.cpp — parameter registration and the walks over the module tree.
#include "module.hpp"

#include <set>
#include <stdexcept>

namespace xgrad::nn {

void Module::check_name(const char* what, const std::string& name, bool present) const {
    if (!present) throw std::invalid_argument(std::string(what) + ": '" + name + "' is an empty handle");
    if (name.empty() || name.find('.') != std::string::npos)
        throw std::invalid_argument(std::string(what) + ": name '" + name +
                                    "' must be non-empty and contain no '.' (dots separate levels of the tree)");
    bool taken = false;
    for (const auto& [n, t] : params_) taken = taken || n == name;
    for (const auto& [n, t] : buffers_) taken = taken || n == name;
    for (const auto& [n, m] : children_) taken = taken || n == name;
    if (taken)
        throw std::invalid_argument(std::string(what) + ": name '" + name +
                                    "' is already used in this module; pick another");
}

Tensor Module::register_parameter(std::string name, Tensor t) {
    check_name("register_parameter", name, t.defined());
    if (!t.is_leaf())
        throw std::invalid_argument("register_parameter: '" + name +
                                    "' is the result of an op; parameters must be leaves (use detach())");
    t.set_requires_grad(true);
    if (t.name().empty()) t.set_name(name);
    params_.emplace_back(std::move(name), t);
    return t;
}

Tensor Module::register_buffer(std::string name, Tensor t) {
    check_name("register_buffer", name, t.defined());
    if (!t.is_leaf())
        throw std::invalid_argument("register_buffer: '" + name +
                                    "' is the result of an op; buffers must be leaves (use detach())");
    t.set_requires_grad(false);
    if (t.name().empty()) t.set_name(name);
    buffers_.emplace_back(std::move(name), t);
    return t;
}

void Module::collect(const std::string& prefix, bool buffers, NamedTensors& out) const {
    // TASK 7: this module's own tensors as prefix + name, then each child's, walked with prefix + child name + "."
    for (const auto& [name, t] : buffers ? buffers_ : params_) out.emplace_back(prefix + name, t);
    for (const auto& [name, child] : children_) child->collect(prefix + name + ".", buffers, out);
    // END TASK 7
}

namespace {
// Keep the first name of every node: a shared tensor is one parameter.
NamedTensors unique_by_node(const NamedTensors& all) {
    NamedTensors out;
    std::set<const Node*> seen;
    for (const auto& [name, t] : all)
        if (seen.insert(t.node().get()).second) out.emplace_back(name, t);
    return out;
}
}  // namespace

NamedTensors Module::named_parameters() const {
    NamedTensors all;
    collect("", false, all);
    return unique_by_node(all);
}

NamedTensors Module::named_buffers() const {
    NamedTensors all;
    collect("", true, all);
    return unique_by_node(all);
}

std::vector<Tensor> Module::parameters() const {
    std::vector<Tensor> out;
    for (auto& [name, t] : named_parameters()) out.push_back(t);
    return out;
}

std::size_t Module::num_parameters() const {
    std::size_t n = 0;
    for (const auto& [name, t] : named_parameters()) n += t.size();
    return n;
}

void Module::train(bool on) {
    training_ = on;
    on_mode_change();
    for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
    for (auto& [name, t] : named_parameters()) t.zero_grad();
}

void Module::requires_grad(bool on) {
    for (auto& [name, t] : named_parameters()) t.set_requires_grad(on);
}

}  // namespace xgrad::nn
