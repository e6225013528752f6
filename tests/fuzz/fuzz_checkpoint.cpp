// fuzz_checkpoint.cpp — libFuzzer target for the checkpoint loaders: the
// safetensors reader (nn/checkpoint.hpp), load_checkpoint into a module and its
// Adam, and load_train_state (examples/common/train_state.hpp) into a GAN-shaped
// pair of networks. Allowed outcomes: a load, or std::runtime_error (bad file)
// and, for a load that fails, the networks left as they were. A crash, a
// sanitizer report, a hang or a huge allocation is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "checkpoint_nets.hpp"
#include "examples/common/train_state.hpp"
#include "fuzz_file.hpp"
#include "nn/checkpoint.hpp"

namespace {

using namespace xgrad;

// Every parameter and buffer value of a module, flattened, to compare before and after.
std::vector<float> values(const nn::Module& m) {
    std::vector<float> out;
    for (const nn::NamedTensors& list : {m.named_parameters(), m.named_buffers()})
        for (const auto& [name, t] : list) out.insert(out.end(), t.value().begin(), t.value().end());
    return out;
}

// A failed load must not have changed anything (bitwise: NaN compares as bytes here).
void check_unchanged(const std::vector<float>& before, const nn::Module& m) {
    const std::vector<float> after = values(m);
    if (before.size() != after.size() ||
        !std::equal(before.begin(), before.end(), after.begin(),
                    [](float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }))
        std::abort();  // a finding: the loader changed the module and then failed
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::ScratchDir scratch("checkpoint");
    static fuzz::CheckpointNets nets;
    const std::filesystem::path path = scratch.path() / "input.safetensors";
    fuzz::write_bytes(path, data, size);

    try {
        nn::read_safetensors(path);
    } catch (const std::runtime_error&) {
        return 0;  // the two loaders below start with the same reader: nothing more to learn
    }
    const std::vector<float> gen_before = values(*nets.gen), disc_before = values(*nets.disc);
    try {
        nn::load_checkpoint(path, *nets.gen, &nets.opt_gen);
    } catch (const std::runtime_error&) {
        check_unchanged(gen_before, *nets.gen);
    }
    const std::vector<float> gen_now = values(*nets.gen);
    try {
        examples::load_train_state(path, *nets.gen, *nets.disc, nets.opt_gen, nets.opt_disc, nets.rng, nets.settings);
    } catch (const std::runtime_error&) {
        check_unchanged(gen_now, *nets.gen);
        check_unchanged(disc_before, *nets.disc);
    }
    return 0;
}
