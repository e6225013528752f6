// test_flatten.cpp — the Flatten and Unflatten layers: shapes and values worked
// out by hand, the same results as the core ops they wrap, no parameters, a
// gradient check through a Sequential that flattens images for a Linear layer
// and unflattens its output, and a checkpoint of that Sequential.
#include "check.hpp"
#include "files.hpp"

#include <memory>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::module_tensors;
using xgrad::testing::randn;
using xgrad::testing::same_tensors;
using xgrad::testing::TempDir;

namespace {
// x[j] = j in row-major order.
Tensor arange(const Shape& shape) {
    Array a = Array::from_shape(shape);
    for (std::size_t j = 0; j < a.size(); ++j) a.data()[j] = static_cast<float>(j);
    return Tensor(a);
}
}  // namespace

TEST_CASE("Flatten") {
    const Tensor x = arange({2, 3, 2, 2});  // a batch of 2 images, 3 channels of 2 x 2

    SUBCASE("the default keeps the batch axis: (2, 3, 2, 2) -> (2, 12)") {
        nn::Flatten layer;
        CHECK(layer.start_dim() == 1);
        CHECK(layer.end_dim() == -1);
        const Tensor y = layer(x);
        CHECK(y.shape() == Shape{2, 12});
        CHECK(y.value()(1, 7) == 19.f);  // image 1 starts at 12; its element 7 is channel 1, pixel (1, 1)
        CHECK(y.value() == flatten(x).value());
        CHECK(layer.num_parameters() == 0);
        CHECK(layer.named_buffers().empty());
    }
    SUBCASE("other ranges") {
        CHECK(nn::Flatten(0)(x).shape() == Shape{24});
        CHECK(nn::Flatten(2)(x).shape() == Shape{2, 3, 4});
        CHECK(nn::Flatten(0, 1)(x).shape() == Shape{6, 2, 2});
        CHECK(nn::Flatten(1, -2)(x).shape() == Shape{2, 6, 2});
    }
    SUBCASE("the op's errors") {
        nn::Flatten layer(2, 1);
        CHECK_THROWS_WITH_AS(layer(x), "flatten: start_dim 2 comes after end_dim 1 in shape (2, 3, 2, 2)", ShapeError);
        CHECK_THROWS_WITH_AS(nn::Flatten()(randn({5})), "flatten: axis 1 out of range for shape (5,)", ShapeError);
    }
}

TEST_CASE("Unflatten") {
    SUBCASE("(2, 12) -> (2, 3, 2, 2), with or without -1") {
        const Tensor x = arange({2, 12});
        nn::Unflatten layer(1, {3, 2, 2});
        CHECK(layer.dim() == 1);
        CHECK(layer.sizes() == std::vector<std::ptrdiff_t>{3, 2, 2});
        const Tensor y = layer(x);
        CHECK(y.shape() == Shape{2, 3, 2, 2});
        CHECK(y.value()(1, 2, 0, 1) == 21.f);  // 12 + 4·2 + 2·0 + 1
        CHECK(y.value() == unflatten(x, 1, {3, 2, 2}).value());
        CHECK(nn::Unflatten(-1, {-1, 2, 2})(x).shape() == Shape{2, 3, 2, 2});
        CHECK(layer.num_parameters() == 0);
        CHECK(layer.named_buffers().empty());
    }
    SUBCASE("the op's errors") {
        CHECK_THROWS_WITH_AS(nn::Unflatten(1, {5, -1})(arange({2, 12})),
                             "unflatten: sizes (5, -1) cannot split axis 1 (length 12) of (2, 12)", ShapeError);
    }
}

TEST_CASE("Flatten and Unflatten in a Sequential: gradients and a checkpoint") {
    // images (N, 2, 1, 3) -> Flatten -> Linear(6 -> 4) -> Unflatten to (N, 1, 2, 2)
    auto make_model = [](std::uint64_t seed) {
        Generator gen(seed);
        auto seq = std::make_shared<nn::Sequential>();
        seq->add(std::make_shared<nn::Flatten>());
        seq->add(std::make_shared<nn::Linear>(6, 4, gen));
        seq->add(std::make_shared<nn::Unflatten>(1, std::vector<std::ptrdiff_t>{1, 2, 2}));
        return seq;
    };
    auto model = make_model(1);
    const Tensor images = randn({3, 2, 1, 3});
    CHECK(model->forward(images).shape() == Shape{3, 1, 2, 2});

    SUBCASE("only the Linear layer has parameters, named by its position") {
        std::vector<std::string> names;
        for (const auto& [name, t] : model->named_parameters()) names.push_back(name);
        CHECK(names == std::vector<std::string>{"1.weight", "1.bias"});
    }
    SUBCASE("gradcheck through the three layers, with respect to the images") {
        CHECK_GRADCHECK([model](const std::vector<Tensor>& v) { return model->forward(v[0]); }, {images});
    }
    SUBCASE("a checkpoint saves and restores it like any other model") {
        TempDir dir;
        nn::save_checkpoint(dir / "model.safetensors", *model);
        auto fresh = make_model(2);
        REQUIRE_FALSE(same_tensors(module_tensors(*model), module_tensors(*fresh)));
        nn::load_checkpoint(dir / "model.safetensors", *fresh);
        CHECK(same_tensors(module_tensors(*model), module_tensors(*fresh)));
        CHECK(fresh->forward(images).value() == model->forward(images).value());
    }
}
