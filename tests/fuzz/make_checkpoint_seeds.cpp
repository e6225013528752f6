// make_checkpoint_seeds.cpp — writes the valid seed files of fuzz_checkpoint's
// corpus: a load_checkpoint file (module + Adam), a train-state file, and a bare
// safetensors file with metadata. The fuzzer mutates these toward the bad cases.
//   make_checkpoint_seeds tests/fuzz/corpus/fuzz_checkpoint
#include <cstdio>
#include <filesystem>

#include "checkpoint_nets.hpp"
#include "examples/common/train_state.hpp"
#include "nn/checkpoint.hpp"

int main(int argc, char** argv) {
    using namespace xgrad;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <directory>\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    fuzz::CheckpointNets nets;
    nn::save_checkpoint(dir / "seed_checkpoint.safetensors", *nets.gen, &nets.opt_gen, {{"note", "seed"}});
    examples::TrainState state;
    state.epoch = 1;
    state.step = 3;
    state.settings = nets.settings;
    examples::save_train_state(dir / "seed_train_state.safetensors", *nets.gen, *nets.disc, nets.opt_gen,
                               nets.opt_disc, nets.rng, state);
    nn::write_safetensors(dir / "seed_plain.safetensors", {{"w", Tensor(Array{1.0f, 2.0f})}}, {{"k", "v"}});
    return 0;
}
