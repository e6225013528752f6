// test_embedding.cpp — Embedding: lookup values, N(0, 1) initialisation,
// gradient (scatter-add into the rows used, repeated indices summed),
// reproducibility, and the out-of-range error.
#include "check.hpp"

#include <cmath>

using namespace xgrad;
using xgrad::testing::all_close;

TEST_CASE("Embedding lookup") {
    Generator gen(1);
    nn::Embedding emb(10, 4, gen);
    CHECK(emb.num_embeddings() == 10);
    CHECK(emb.embedding_dim() == 4);
    CHECK(emb.weight().shape() == Shape{10, 4});
    REQUIRE(emb.named_parameters().size() == 1);
    CHECK(emb.named_parameters()[0].first == "weight");

    // out[n] = weight[indices[n]]
    const Indices idx{3, 0, 3, 9};
    Tensor out = emb(idx);
    CHECK(out.shape() == Shape{4, 4});
    const Array& w = emb.weight().value();
    for (std::size_t n = 0; n < idx.size(); ++n)
        for (std::size_t d = 0; d < 4; ++d) CHECK(out.value()(n, d) == w(idx[n], d));

    SUBCASE("a table worked by hand") {
        nn::Embedding small(3, 2, gen);
        Tensor table = small.weight();
        table.mutable_value() = Array{{1, 2}, {3, 4}, {5, 6}};
        CHECK(all_close(small({2, 0}).value(), Array{{5, 6}, {1, 2}}));
        CHECK(small(Indices{}).shape() == Shape{0, 2});  // no indices, no rows
    }
}

TEST_CASE("Embedding initialisation is N(0, 1), reproducible from the seed") {
    Generator gen(1);
    nn::Embedding emb(1000, 100, gen);  // 100 000 draws
    double mean = 0, sq = 0;
    for (float v : emb.weight().value()) {
        mean += v;
        sq += static_cast<double>(v) * v;
    }
    mean /= 1e5;
    const double sd = std::sqrt(sq / 1e5 - mean * mean);
    CHECK(std::abs(mean) < 0.02);
    CHECK(sd == doctest::Approx(1.0).epsilon(0.01));

    Generator g1(5), g2(5), g3(6);
    nn::Embedding a(10, 3, g1), b(10, 3, g2), c(10, 3, g3);
    CHECK(a.weight().value() == b.weight().value());
    CHECK(a.weight().value() != c.weight().value());
}

TEST_CASE("Embedding gradient") {
    Generator gen(1);
    nn::Embedding emb(5, 3, gen);
    SUBCASE("rows used get their gradients, repeated rows the sum, other rows 0") {
        // seed g = [[1, 1, 1], [2, 2, 2], [10, 20, 30]] for indices [4, 1, 4]:
        // d weight[4] = [1, 1, 1] + [10, 20, 30] = [11, 21, 31], d weight[1] = [2, 2, 2]
        backward(emb({4, 1, 4}), Array{{1, 1, 1}, {2, 2, 2}, {10, 20, 30}});
        CHECK(all_close(emb.weight().grad(), Array{{0, 0, 0}, {2, 2, 2}, {0, 0, 0}, {0, 0, 0}, {11, 21, 31}}));
    }
    SUBCASE("gradcheck of the lookup (index_select on the weight)") {
        std::function<Tensor(const std::vector<Tensor>&)> f = [](const std::vector<Tensor>& t) {
            return index_select(t[0], {4, 1, 4, 0});
        };
        CHECK_GRADCHECK(f, {emb.weight()});
    }
}

TEST_CASE("Embedding rejects an index out of range") {
    Generator gen(1);
    nn::Embedding emb(10, 4, gen);
    CHECK_THROWS_WITH_AS(emb({1, 2, 0, 12}),
                         "Embedding(10, 4): index 12 at position 3 is out of range; indices must be less than 10",
                         std::out_of_range);
}
