// test_judge.cpp — examples/common/judge.hpp: both judges' shapes and features (the
// CNN's checked against the core ops called one by one), batched evaluation (the same
// numbers whatever the batch), the checkpoint and the arch it records, the
// messages when a judge and a GAN checkpoint are mixed up (train_state's
// read_train_settings, which evaluate uses to tell them apart), shift_image, and the
// checks evaluate and mnist_classifier make first (non-finite samples, a writable directory).
#include <algorithm>
#include <limits>
#include <numeric>

#include "autodiff/autodiff.hpp"
#include "check.hpp"
#include "examples/common/judge.hpp"
#include "examples/common/train_state.hpp"
#include "files.hpp"
#include "nn/checkpoint.hpp"

using namespace xgrad;
using namespace xgrad::examples;
using namespace xgrad::testing;

TEST_CASE("MlpJudge: logits (N, 10) and features (N, 256)") {
    Generator gen(1), drop(2);
    MlpJudge judge(gen, drop);
    // 784·512 + 512 + 512·256 + 256 + 256·10 + 10 = 535,818
    CHECK(judge.num_parameters() == 535818);
    CHECK(judge.arch_name() == "mlp-784-512-256-10");
    const JudgeOutput out = judge(randu({3, 784}, 0.0f, 1.0f));
    CHECK(out.logits.shape() == Shape{3, 10});
    CHECK(out.features.shape() == Shape{3, 256});
    CHECK(xt::amin(out.features.value())() >= 0.0f);  // after ReLU
    CHECK_THROWS_WITH_AS(judge(randu({2, 100}, 0.0f, 1.0f)), "judge: x (2, 100) must be (batch, 784)", ShapeError);
}

TEST_CASE("CnnJudge: logits (N, 10) and features (N, 256), the layers in their order") {
    Generator gen(1), drop(2);
    CnnJudge judge(gen, drop);
    // conv 1·16·25 + 16 = 416, conv 16·32·25 + 32 = 12,832, linear 32·7·7·256 + 256 = 401,664,
    // linear 256·10 + 10 = 2,570: 417,482
    CHECK(judge.num_parameters() == 417482);
    CHECK(judge.arch_name() == "cnn-c16-c32-256-10");
    const Tensor x = randu({3, 784}, 0.0f, 1.0f);
    const JudgeOutput out = judge(x);
    CHECK(out.logits.shape() == Shape{3, 10});
    CHECK(out.features.shape() == Shape{3, 256});
    CHECK(xt::amin(out.features.value())() >= 0.0f);  // after ReLU
    CHECK_THROWS_WITH_AS(judge(randu({2, 28, 28}, 0.0f, 1.0f)), "judge: x (2, 28, 28) must be (batch, 784)",
                         ShapeError);

    // The same numbers from the core ops, called one by one with the judge's weights
    // (in eval mode, where dropout passes the features through unchanged).
    judge.eval();
    std::map<std::string, Tensor> w;
    for (const auto& [name, t] : judge.named_parameters()) w[name] = t;
    REQUIRE(w.size() == 8);
    Tensor h = reshape(x, {3, 1, 28, 28});
    h = max_pool2d(relu(conv2d(h, w.at("body.0.weight"), w.at("body.0.bias"), 1, 2)), 2);  // (3, 16, 14, 14)
    h = max_pool2d(relu(conv2d(h, w.at("body.3.weight"), w.at("body.3.bias"), 1, 2)), 2);  // (3, 32, 7, 7)
    const Tensor features = relu(linear(flatten(h), w.at("body.7.weight"), w.at("body.7.bias")));
    const JudgeOutput again = judge(x);
    CHECK(all_close(again.features.value(), features.value()));
    CHECK(all_close(again.logits.value(), linear(features, w.at("head.weight"), w.at("head.bias")).value()));
}

TEST_CASE("make_judge: the network --arch names") {
    Generator gen(1), drop(2);
    CHECK(make_judge("mlp", gen, drop)->arch_name() == "mlp-784-512-256-10");
    CHECK(make_judge("cnn", gen, drop)->arch_name() == "cnn-c16-c32-256-10");
    CHECK_FAILS_WITH_AS(make_judge("rnn", gen, drop), "unknown judge arch 'rnn' (use mlp or cnn)",
                        std::invalid_argument);
}

TEST_CASE("judge_images: eval mode, any batch size, probabilities and argmax") {
    for (const char* arch : {"mlp", "cnn"}) {
        INFO(arch);
        Generator gen(1), drop(2);
        const std::unique_ptr<Judge> network = make_judge(arch, gen, drop);
        Judge& judge = *network;
        const Array images = randu({7, 784}, 0.0f, 1.0f).value();
        const Judged a = judge_images(judge, images, 500);
        const Judged b = judge_images(judge, images, 3);  // batches 3 + 3 + 1
        CHECK(!judge.is_training());
        CHECK(all_close(a.logits, b.logits));
        CHECK(all_close(a.features, b.features));
        CHECK(a.labels == b.labels);
        for (std::size_t i = 0; i < 7; ++i) {
            const float* p = a.probs.data() + i * 10;
            const float* logit = a.logits.data() + i * 10;
            CHECK(std::accumulate(p, p + 10, 0.0f) == doctest::Approx(1.0f).epsilon(1e-5));
            CHECK(a.labels[i] == std::size_t(std::max_element(logit, logit + 10) - logit));
        }
        // The same as one forward pass in eval mode.
        judge.eval();
        CHECK(all_close(a.logits, judge(Tensor(images)).logits.value()));
    }
}

TEST_CASE("save_judge / load_judge round trip, either arch, and mix-ups") {
    TempDir dir;
    Generator gen(1), drop(2), other_gen(9);
    MlpJudge mlp(gen, drop);
    CnnJudge cnn(gen, drop);
    const std::string mlp_path = (dir.path / "mlp.safetensors").string();
    const std::string cnn_path = (dir.path / "cnn.safetensors").string();
    save_judge(mlp_path, mlp, {{"data", "test digits"}, {"test_accuracy", "0.97"}});
    save_judge(cnn_path, cnn, {{"data", "test digits"}, {"test_accuracy", "0.99"}});

    SUBCASE("into a network of the same arch") {
        MlpJudge mlp_loaded(other_gen, drop);
        const auto md = load_judge(mlp_path, mlp_loaded);
        CHECK(same_tensors(module_tensors(mlp_loaded), module_tensors(mlp)));
        CHECK(md.at("program") == "mnist_classifier");
        CHECK(md.at("arch") == "mlp-784-512-256-10");
        CHECK(md.at("data") == "test digits");
        CnnJudge cnn_loaded(other_gen, drop);
        CHECK(load_judge(cnn_path, cnn_loaded).at("arch") == "cnn-c16-c32-256-10");
        CHECK(same_tensors(module_tensors(cnn_loaded), module_tensors(cnn)));
    }
    SUBCASE("into a network of the other arch: refused, both named") {
        MlpJudge mlp_loaded(other_gen, drop);
        CnnJudge cnn_loaded(other_gen, drop);
        CHECK_FAILS_WITH(load_judge(cnn_path, mlp_loaded),
                         cnn_path + ": judge arch cnn-c16-c32-256-10, but this network is mlp-784-512-256-10");
        CHECK_FAILS_WITH(load_judge(mlp_path, cnn_loaded),
                         mlp_path + ": judge arch mlp-784-512-256-10, but this network is cnn-c16-c32-256-10");
    }
    SUBCASE("load_any_judge builds the network the file names") {
        const LoadedJudge a = load_any_judge(mlp_path, drop);
        CHECK(a.judge->arch_name() == "mlp-784-512-256-10");
        CHECK(same_tensors(module_tensors(*a.judge), module_tensors(mlp)));
        const LoadedJudge b = load_any_judge(cnn_path, drop);
        CHECK(b.judge->arch_name() == "cnn-c16-c32-256-10");
        CHECK(same_tensors(module_tensors(*b.judge), module_tensors(cnn)));
        CHECK(b.metadata.at("test_accuracy") == "0.99");
        // A judge of an arch this build does not know.
        const std::string odd = (dir.path / "odd.safetensors").string();
        nn::write_safetensors(odd, {{"fc1.weight", Tensor(xt::zeros<float>({2, 2}))}},
                              {{"program", "mnist_classifier"}, {"arch", "rnn-1"}});
        CHECK_FAILS_WITH(load_any_judge(odd, drop),
                         odd + ": unknown judge arch rnn-1 (known: mlp-784-512-256-10, cnn-c16-c32-256-10)");
    }
    SUBCASE("a GAN checkpoint given as the judge") {
        const std::string gan = (dir.path / "checkpoint.safetensors").string();
        nn::write_safetensors(gan, {{"gen.fc1.weight", Tensor(xt::zeros<float>({2, 2}))}},
                              {{"setting.program", "cgan_mnist"}, {"epoch", "3"}, {"step", "375"}});
        const std::string message =
            gan + ": not a judge checkpoint (written by cgan_mnist; train a judge with mnist_classifier)";
        CHECK_FAILS_WITH(load_judge(gan, mlp), message);
        CHECK_FAILS_WITH(load_any_judge(gan, drop), message);

        // And the other way round: evaluate reads a GAN checkpoint's settings first.
        const TrainState state = read_train_settings(gan);
        CHECK(state.epoch == 3);
        CHECK(state.step == 375);
        CHECK(state.settings == std::map<std::string, std::string>{{"program", "cgan_mnist"}});
        CHECK_FAILS_WITH(read_train_settings(mlp_path),
                         mlp_path + ": not a GAN training checkpoint (no setting.program in its metadata)");
    }
}

TEST_CASE("shift_image: the training augmentation") {
    std::vector<float> image(784, 0.0f), out(784, -1.0f);
    image[5 * 28 + 7] = 1.0f;  // one lit pixel at row 5, column 7
    SUBCASE("2 right, 1 up: the pixel lands on row 4, column 9; everything else is 0") {
        shift_image(image.data(), 2, -1, out.data());
        CHECK(out[4 * 28 + 9] == 1.0f);
        CHECK(std::accumulate(out.begin(), out.end(), 0.0f) == 1.0f);
    }
    SUBCASE("no shift: a copy") {
        shift_image(image.data(), 0, 0, out.data());
        CHECK(out == image);
    }
    SUBCASE("8 left: column 7 leaves the frame, nothing is left") {
        shift_image(image.data(), -8, 0, out.data());
        CHECK(std::all_of(out.begin(), out.end(), [](float v) { return v == 0.0f; }));
    }
}

TEST_CASE("non_finite_rows: which samples hold a NaN or infinite pixel") {
    Array images = xt::zeros<float>({std::size_t{5}, std::size_t{784}});
    SUBCASE("every pixel finite: none") {
        CHECK(non_finite_rows(images).count == 0);
    }
    SUBCASE("a NaN in row 3 and an infinity in row 1: two, the first is row 1") {
        images(3, 700) = std::numeric_limits<float>::quiet_NaN();
        images(1, 0) = -std::numeric_limits<float>::infinity();
        const NonFiniteRows bad = non_finite_rows(images);
        CHECK(bad.count == 2);
        CHECK(bad.first == 1);
    }
    SUBCASE("the largest finite float is finite") {
        images(4, 783) = std::numeric_limits<float>::max();
        CHECK(non_finite_rows(images).count == 0);
    }
}

TEST_CASE("check_writable_directory: a probe file, made and removed") {
    TempDir dir;
    check_writable_directory(dir.path.string(), "--out " + dir.path.string());
    CHECK(fs::is_empty(dir.path));  // the probe is gone
    const std::string missing = (dir.path / "none").string();
    CHECK_FAILS_WITH_AS(check_writable_directory(missing, "--out " + missing),
                        "--out " + missing + ": not writable (No such file or directory)", std::invalid_argument);
}
