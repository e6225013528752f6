// checkpoint_nets.hpp — the small networks fuzz_checkpoint loads its inputs into,
// and make_checkpoint_seeds saves its seed files from: a generator with a
// parameter-free buffer pair (BatchNorm), a discriminator, an Adam for each.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "nn/nn.hpp"

namespace xgrad::fuzz {

struct CheckpointNets {
    Generator rng{7};
    std::shared_ptr<nn::Sequential> gen = std::make_shared<nn::Sequential>(
        std::initializer_list<std::shared_ptr<nn::Layer>>{std::make_shared<nn::Linear>(2, 3, rng),
                                                          std::make_shared<nn::BatchNorm1d>(3)});
    std::shared_ptr<nn::Linear> disc = std::make_shared<nn::Linear>(3, 1, rng);
    nn::Adam opt_gen{gen->named_parameters()};
    nn::Adam opt_disc{disc->named_parameters()};
    std::map<std::string, std::string> settings{{"program", "fuzz"}, {"arch", "tiny"}};
};

}  // namespace xgrad::fuzz
