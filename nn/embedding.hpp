// embedding.hpp — a lookup table of learned vectors, as torch.nn.Embedding:
// row i of the weight is the vector for index i (e.g. a class label in a CGAN).
// Shape legend: num = number of embeddings, dim = their length, N indices.
//   weight (num, dim)   indices (N)   out (N, dim)
#pragma once

#include <cstddef>

#include "../autodiff/random.hpp"
#include "module.hpp"

namespace xgrad::nn {

class Embedding : public Module {
public:
    // Parameter "weight" (num, dim) drawn from N(0, 1) (PyTorch's default) from gen.
    Embedding(std::size_t num_embeddings, std::size_t embedding_dim, Generator& gen);

    // out[n] = weight[indices[n]]; backward adds g[n] to weight's row indices[n]
    // (an index used twice gets both gradients). std::out_of_range
    // "Embedding(10, 4): index 12 at position 3 is out of range; indices must be less than 10".
    Tensor forward(const Indices& indices);
    Tensor operator()(const Indices& indices) { return forward(indices); }

    std::size_t num_embeddings() const { return num_; }
    std::size_t embedding_dim() const { return dim_; }
    const Tensor& weight() const { return weight_; }

private:
    std::size_t num_, dim_;
    Tensor weight_;
};

}  // namespace xgrad::nn
