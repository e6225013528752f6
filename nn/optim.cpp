// optim.cpp — SGD and Adam as flat loops over each parameter's value and
// gradient, plus the bookkeeping every optimizer shares: the parameter list,
// the per-parameter state, saving and restoring it.
#include "optim.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

#include "../autodiff/tape.hpp"
#include "number_text.hpp"

namespace xgrad::nn {

namespace {

// x >= 0 and not NaN/inf.
bool non_negative(float x) { return x >= 0.0f && std::isfinite(x); }

void check_lr(const char* who, float lr) {
    if (!non_negative(lr))
        throw std::invalid_argument(std::string(who) + ": lr must be >= 0, got " + float_text(lr));
}

Array zeros_like(const Array& a) {
    Array z = Array::from_shape(a.shape());
    z.fill(0.0f);
    return z;
}

NamedTensors number_names(const std::vector<Tensor>& params) {
    NamedTensors named;
    for (std::size_t i = 0; i < params.size(); ++i) named.emplace_back(std::to_string(i), params[i]);
    return named;
}

}  // namespace

// ---------------------------------------------------------------- Optimizer

Optimizer::Optimizer(const char* name, NamedTensors params, float lr)
    : name_(name), params_(std::move(params)), state_(params_.size()), lr_(lr) {
    const std::string who = name_;
    check_lr(name_, lr);
    if (params_.empty())
        throw std::invalid_argument(who + ": got an empty parameter list; pass module.named_parameters() "
                                          "of a module that has parameters");
    std::set<std::string> names;
    std::set<const Node*> nodes;
    for (const auto& [pname, p] : params_) {
        if (!p.defined()) throw std::invalid_argument(who + ": parameter " + pname + " is an empty tensor");
        if (!names.insert(pname).second)
            throw std::invalid_argument(who + ": two parameters are named " + pname + "; names must be unique");
        if (!nodes.insert(p.node().get()).second)
            throw std::invalid_argument(who + ": parameter " + pname +
                                        " is a tensor already in the list; pass each parameter once");
    }
}

Optimizer::Optimizer(const char* name, const std::vector<Tensor>& params, float lr)
    : Optimizer(name, number_names(params), lr) {}

void Optimizer::set_lr(float lr) {
    check_lr(name_, lr);
    lr_ = lr;
}

void Optimizer::zero_grad() {
    for (auto& [pname, p] : params_) p.zero_grad();
}

void Optimizer::step() {
    NoGrad no_grad;  // an update is not part of any graph
    ++step_count_;
    for (std::size_t i = 0; i < params_.size(); ++i) {
        auto& [pname, p] = params_[i];
        if (!p.requires_grad() || !p.has_grad()) continue;  // frozen, or not used by the loss
        // The loops below run over p.size() elements of the gradient and state
        // arrays; make sure they really have that many.
        if (p.grad().shape() != p.shape())
            throw std::logic_error(std::string(name_) + ": gradient of " + pname + " has shape " +
                                   shape_str(p.grad().shape()) + " but the parameter has " +
                                   shape_str(p.shape()) + " (was its value replaced after backward?)");
        for (const auto& [slot, a] : state_[i])
            if (a.dimension() != 0 && a.shape() != p.shape())
                throw std::logic_error(std::string(name_) + ": state " + slot + "." + pname + " has shape " +
                                       shape_str(a.shape()) + " but the parameter has " + shape_str(p.shape()) +
                                       " (was its value replaced?)");
        update(p, state_[i]);
    }
}

NamedTensors Optimizer::state() const {
    NamedTensors out;
    for (std::size_t i = 0; i < params_.size(); ++i)
        for (const Slot& s : slots()) {
            auto it = state_[i].find(s.name);
            if (it != state_[i].end()) out.emplace_back(s.name + "." + params_[i].first, Tensor(it->second));
        }
    return out;
}

void Optimizer::check_state(const NamedTensors& state, std::int64_t step_count, float lr) const {
    const std::string who = std::string(name_) + ": ";
    check_lr(name_, lr);
    if (step_count < 0) throw std::invalid_argument(who + "step_count must be >= 0, got " + std::to_string(step_count));

    const std::vector<Slot> known = slots();
    std::string known_list;
    for (const Slot& s : known) known_list += (known_list.empty() ? "" : ", ") + s.name;

    // slots_seen[i] = the slots found for parameter i
    std::vector<std::set<std::string>> slots_seen(params_.size());
    for (const auto& [name, t] : state) {
        // "<slot>.<parameter name>": slot names have no dot, parameter names may.
        const auto dot = name.find('.');
        const std::string slot = dot == std::string::npos ? name : name.substr(0, dot);
        const Slot* s = nullptr;
        for (const Slot& k : known)
            if (k.name == slot) s = &k;
        if (s == nullptr || dot == std::string::npos)
            throw std::invalid_argument(who + "unknown state " + name + " (" + name_ +
                                        (known.empty() ? " keeps no state with these options)"
                                                       : " keeps " + known_list + " for each parameter)"));
        const std::string pname = name.substr(dot + 1);
        std::size_t i = 0;
        while (i < params_.size() && params_[i].first != pname) ++i;
        if (i == params_.size())
            throw std::invalid_argument(who + "state " + name + " is for " + pname +
                                        ", which is not a parameter of this optimizer");
        if (!t.defined()) throw std::invalid_argument(who + "state " + name + " is an empty tensor");
        if (!slots_seen[i].insert(slot).second) throw std::invalid_argument(who + "state " + name + " appears twice");

        const Shape& want = params_[i].second.shape();
        if (s->is_count) {
            if (t.dim() != 0)
                throw std::invalid_argument(who + name + " must be a scalar (shape ()), got " + shape_str(t.shape()));
            // A count of updates: a whole number a float32 still counts exactly.
            const float c = t.value().data()[0];
            if (!(c >= 1.0f && c <= 16777216.0f && c == std::floor(c)))
                throw std::invalid_argument(who + name + " must be a whole number >= 1, got " + float_text(c));
        } else if (t.shape() != want) {
            throw std::invalid_argument(who + "shape mismatch for " + name + ": state " + shape_str(t.shape()) +
                                        ", parameter " + shape_str(want));
        }
    }
    // A parameter has either all of its slots or none (it has not been updated yet).
    for (std::size_t i = 0; i < params_.size(); ++i) {
        if (slots_seen[i].empty()) continue;
        for (const Slot& s : known)
            if (!slots_seen[i].count(s.name))
                throw std::invalid_argument(who + "incomplete state for " + params_[i].first + ": " + s.name + "." +
                                            params_[i].first + " is missing");
    }
}

void Optimizer::load_state(const NamedTensors& state, std::int64_t step_count, float lr) {
    check_state(state, step_count, lr);
    std::vector<ParamState> fresh(params_.size());
    for (const auto& [name, t] : state) {
        const auto dot = name.find('.');
        const std::string slot = name.substr(0, dot), pname = name.substr(dot + 1);
        std::size_t i = 0;
        while (params_[i].first != pname) ++i;  // check_state found it
        fresh[i][slot] = t.value();              // a copy: the caller's tensor stays theirs
    }
    state_ = std::move(fresh);
    step_count_ = step_count;
    lr_ = lr;
}

// ---------------------------------------------------------------- SGD

namespace {
SGDOptions checked(SGDOptions o) {
    check_lr("SGD", o.lr);
    if (!non_negative(o.momentum))
        throw std::invalid_argument("SGD: momentum must be >= 0, got " + float_text(o.momentum));
    if (!std::isfinite(o.dampening))
        throw std::invalid_argument("SGD: dampening must be finite, got " + float_text(o.dampening));
    if (!non_negative(o.weight_decay))
        throw std::invalid_argument("SGD: weight_decay must be >= 0, got " + float_text(o.weight_decay));
    if (o.nesterov && (o.momentum <= 0.0f || o.dampening != 0.0f))
        throw std::invalid_argument("SGD: nesterov needs momentum > 0 and dampening 0, got momentum " +
                                    float_text(o.momentum) + " and dampening " + float_text(o.dampening));
    return o;
}
}  // namespace

SGD::SGD(NamedTensors params, SGDOptions options)
    : Optimizer("SGD", std::move(params), checked(options).lr), opt_(options) {}
SGD::SGD(const std::vector<Tensor>& params, SGDOptions options)
    : Optimizer("SGD", params, checked(options).lr), opt_(options) {}

std::vector<Optimizer::Slot> SGD::slots() const {
    if (opt_.momentum == 0.0f) return {};  // plain SGD keeps nothing between steps
    return {{"momentum_buffer", false}};
}

// Shapes: w, grad, buf all shaped like the parameter, n = p.size().
//   g = grad + wd·w
//   buf = g (first step)  or  μ·buf + (1 - dampening)·g
//   w -= lr·(g + μ·buf) (nesterov)  or  lr·buf  (or lr·g without momentum)
void SGD::update(Tensor& p, ParamState& st) {
    // TASK 7: g = grad + wd·w; without momentum w -= lr·g; with it buf = g (first step) or μ·buf + (1 − dampening)·g, then w -= lr·buf (lr·(g + μ·buf) with nesterov)
    const std::size_t n = p.size();
    float* w = p.mutable_value().data();
    const float* grad = p.grad().data();
    const float lr = this->lr(), mu = opt_.momentum, damp = opt_.dampening, wd = opt_.weight_decay;

    if (mu == 0.0f) {
        for (std::size_t i = 0; i < n; ++i) w[i] -= lr * (grad[i] + wd * w[i]);
        return;
    }
    const bool first = st.empty();
    if (first) st["momentum_buffer"] = Array::from_shape(p.shape());  // filled with g below
    float* buf = st["momentum_buffer"].data();
    for (std::size_t i = 0; i < n; ++i) {
        const float g = grad[i] + wd * w[i];
        buf[i] = first ? g : mu * buf[i] + (1.0f - damp) * g;
        w[i] -= lr * (opt_.nesterov ? g + mu * buf[i] : buf[i]);
    }
    // END TASK 7
}

// ---------------------------------------------------------------- Adam

namespace {
AdamOptions checked(AdamOptions o) {
    check_lr("Adam", o.lr);
    if (!(o.beta1 >= 0.0f && o.beta1 < 1.0f))
        throw std::invalid_argument("Adam: beta1 must be in [0, 1), got " + float_text(o.beta1));
    if (!(o.beta2 >= 0.0f && o.beta2 < 1.0f))
        throw std::invalid_argument("Adam: beta2 must be in [0, 1), got " + float_text(o.beta2));
    if (!non_negative(o.eps)) throw std::invalid_argument("Adam: eps must be >= 0, got " + float_text(o.eps));
    if (!non_negative(o.weight_decay))
        throw std::invalid_argument("Adam: weight_decay must be >= 0, got " + float_text(o.weight_decay));
    return o;
}

// The constants of one Adam update of one parameter.
struct AdamConstants {
    float b1, b2, eps, wd;
    float step_size;  // lr/(1 - β1^t)
    float bc2_sqrt;   // √(1 - β2^t)
};

// The update of Adam::update below, element by element, over n elements: w (the
// parameter), its gradient, m (exp_avg) and v (exp_avg_sq).
//
// It is a function of its own so that the compiler can build it twice
// (target_clones): once for any x86-64 processor (SSE, 4 floats per
// instruction) and once for processors with AVX (8 floats per instruction); the
// program picks the AVX copy when it starts, if the processor has AVX. As SSE
// code the loop is bound by its square root and two divisions; AVX does them
// twice as wide, and the update takes half the time (it then runs close to the
// speed of memory, so wider vectors would gain little more). The results are
// bit for bit the same, because AVX adds, multiplies, divides and takes square
// roots with the same rounding, one element at a time, in the order written
// (tests/test_optim.cpp checks the bits). Not "avx512f" or "arch=haswell":
// they bring fused multiply-adds, which the compiler would use for
// `b1 * m[i] + ...`, rounding once instead of twice, and the results would
// change. (target_clones names x86 instruction sets; on other processors the
// loop is compiled once, as written.)
#if defined(__x86_64__) || defined(__i386__)
[[gnu::target_clones("avx", "default")]]
#endif
void adam_elements(std::size_t n, float* w, const float* grad, float* m, float* v, AdamConstants c) {
    // TASK 7: for each element: g = grad + wd·w; m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; w -= step_size · m / (√v / bc2_sqrt + eps)
    const auto [b1, b2, eps, wd, step_size, bc2_sqrt] = c;
    for (std::size_t i = 0; i < n; ++i) {
        const float g = grad[i] + wd * w[i];
        m[i] = b1 * m[i] + (1.0f - b1) * g;
        v[i] = b2 * v[i] + (1.0f - b2) * g * g;
        w[i] -= step_size * (m[i] / (std::sqrt(v[i]) / bc2_sqrt + eps));
    }
    // END TASK 7
}

}  // namespace

Adam::Adam(NamedTensors params, AdamOptions options)
    : Optimizer("Adam", std::move(params), checked(options).lr), opt_(options) {}
Adam::Adam(const std::vector<Tensor>& params, AdamOptions options)
    : Optimizer("Adam", params, checked(options).lr), opt_(options) {}

std::vector<Optimizer::Slot> Adam::slots() const {
    return {{"step", true}, {"exp_avg", false}, {"exp_avg_sq", false}};
}

// Shapes: w, grad, m (exp_avg), v (exp_avg_sq) all shaped like the parameter; t = its update count.
//   g = grad + wd·w
//   m = β1·m + (1 - β1)·g             v = β2·v + (1 - β2)·g²
//   w -= lr/(1 - β1^t) · m / (√v / √(1 - β2^t) + eps)     (= lr·m̂/(√v̂ + eps))
void Adam::update(Tensor& p, ParamState& st) {
    // TASK 7: state step, exp_avg, exp_avg_sq (zeros at first); t += 1; m, v moving averages of g and g²; w -= lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
    if (st.empty()) {
        st["step"] = Array(0.0f);
        st["exp_avg"] = zeros_like(p.value());
        st["exp_avg_sq"] = zeros_like(p.value());
    }
    float& t = st["step"].data()[0];
    t += 1.0f;
    const float b1 = opt_.beta1, b2 = opt_.beta2, eps = opt_.eps, wd = opt_.weight_decay;
    // The bias corrections, in double as PyTorch computes them (in Python floats).
    const double bc1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(t));
    const double bc2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(t));
    const float step_size = static_cast<float>(lr() / bc1);
    const float bc2_sqrt = static_cast<float>(std::sqrt(bc2));

    adam_elements(p.size(), p.mutable_value().data(), p.grad().data(), st["exp_avg"].data(),
                  st["exp_avg_sq"].data(), {b1, b2, eps, wd, step_size, bc2_sqrt});
    // END TASK 7
}

}  // namespace xgrad::nn
