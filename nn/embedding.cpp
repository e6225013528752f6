// embedding.cpp — the lookup is index_select on the weight's rows.
#include "embedding.hpp"

#include <stdexcept>
#include <string>

#include "../autodiff/ops_shape.hpp"
#include "init.hpp"

namespace xgrad::nn {

Embedding::Embedding(std::size_t num_embeddings, std::size_t embedding_dim, Generator& gen)
    : num_(num_embeddings), dim_(embedding_dim) {
    weight_ = register_parameter("weight", Tensor(Array::from_shape({num_, dim_})));
    init::normal_(weight_, gen, 0.0f, 1.0f);
}

Tensor Embedding::forward(const Indices& indices) {
    for (std::size_t n = 0; n < indices.size(); ++n)
        if (indices[n] >= num_)
            throw std::out_of_range("Embedding(" + std::to_string(num_) + ", " + std::to_string(dim_) +
                                    "): index " + std::to_string(indices[n]) + " at position " + std::to_string(n) +
                                    " is out of range; indices must be less than " + std::to_string(num_));
    return index_select(weight_, indices);
}

}  // namespace xgrad::nn
