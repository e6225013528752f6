// Task 9: the GAN training step (docs/course.md#task-9): a discriminator step, then a
// generator step through the frozen discriminator. Graded on small networks
// (tiny_gan.hpp) that count what the step does, and by the losses of three
// seeded steps, which must match the reference step's bit for bit.
#include "tiny_gan.hpp"

using namespace xgrad;
using namespace xgrad::examples;
using xgrad::course::bits;
using xgrad::course::exact;
using xgrad::course::TinyDisc;
using xgrad::course::TinyGen;

namespace {

constexpr std::size_t B = 4, D = 6;  // batch and image size (z has D entries too)

GanOptions tiny_options() {
    GanOptions opt;
    opt.z_dim = static_cast<int>(D);
    return opt;
}

// Everything a step runs on, built the same way every time.
struct Setup {
    GanOptions opt = tiny_options();
    TinyGen gen{D, 0, 5};
    TinyDisc disc;
    nn::Adam opt_gen{gen.named_parameters(), {.lr = 0.05f, .beta1 = 0.5f}};
    nn::Adam opt_disc;
    Generator rng{7};
    Tensor x_real = course::tiny_images(B, D);
    explicit Setup(bool zero_disc = false)
        : disc(D, 0, 0, 6, zero_disc), opt_disc(disc.named_parameters(), {.lr = 0.05f, .beta1 = 0.5f}) {}
    StepLosses step() { return train_step(gen, disc, opt_gen, opt_disc, x_real, opt, rng); }
};

const std::string kRuns = "GAN step: running one step (if it threw that the graph behind a tensor was already freed, the "
                              "discriminator step's backward walked on into the generator: what keeps it out?)";

}  // namespace

TEST_SUITE("task09") {

TEST_CASE("step 1 against a discriminator that knows nothing: D loss 2 ln 2") {
    Setup s(/*zero_disc=*/true);
    StepLosses l{};
    COURSE_CHECK(kRuns, (l = s.step(), true));
    INFO("d_loss = " << l.d_loss << ", 2 ln 2 = 1.3862944");
    COURSE_CHECK("GAN step: with a discriminator whose logit is 0 everywhere, the D loss must be 2 ln 2: one mean BCE "
                 "on the real images with target 1, plus one on the fakes with target 0",
                 std::abs(l.d_loss - 1.3862944f) < 1e-6f);
}

TEST_CASE("what each network takes part in") {
    Setup s;
    COURSE_CHECK(kRuns, (s.step(), true));
    COURSE_CHECK("GAN step: the generator runs once per step; the generator step judges the same fakes the "
                 "discriminator step saw (no second batch, no new noise)",
                 s.gen.forwards == 1);
    COURSE_CHECK("GAN step: gradient must reach the generator only from the generator step: the discriminator step "
                 "judges the fakes cut from the generator's graph",
                 s.gen.backwards == 1);
    COURSE_CHECK("GAN step: the discriminator's weights get a gradient only in its own step (twice: real and fake "
                 "batches); during the generator step it must be frozen",
                 s.disc.weight_grads == 2);
    bool all_trainable = true;
    for (const auto& [name, p] : s.disc.named_parameters()) all_trainable = all_trainable && p.requires_grad();
    COURSE_CHECK("GAN step: the discriminator must be trainable again when the step ends (unfreeze it)",
                 all_trainable);
    Generator fresh(7);
    fresh.normal_array({B, D});  // the step's one draw: the noise
    COURSE_CHECK("GAN step: a plain GAN step draws exactly one batch of noise from rng, and nothing else",
                 s.rng.normal_array({3}) == fresh.normal_array({3}));
}

TEST_CASE("three seeded steps match the reference bit for bit") {
    // The reference step's losses on this setup (tiny_gan.hpp: no matrix products, so
    // the same bits on every machine). Printed in full when a step differs.
    const float want[3][2] = {{0x1.1c8d54p+0f, 0x1.9b81c6p+0f},   // 1.1115315, 1.60744894
                              {0x1.36feaap+0f, 0x1.5a48c8p+0f},   // 1.21482337, 1.35267305
                              {0x1.00a20cp+0f, 0x1.bf3d5cp+0f}};  // 1.00247264, 1.74703002
    Setup s;
    for (int k = 0; k < 3; ++k) {
        StepLosses l{};
        COURSE_CHECK(kRuns, (l = s.step(), true));
        INFO("step " << k + 1 << ": d_loss " << exact(l.d_loss) << ", g_loss " << exact(l.g_loss) << "; reference "
                     << exact(want[k][0]) << ", " << exact(want[k][1]));
        COURSE_CHECK(std::string(k == 0 ? "GAN step: the D loss of step 1 differs from the reference: BCE(D(x_real), 1) "
                                          "+ BCE(D(fake), 0), both means over the batch"
                                        : "GAN step: the D loss of a later step differs from the reference: does each "
                                          "optimizer zero its gradients before its backward, and step after it?"),
                     bits(l.d_loss) == bits(want[k][0]));
        COURSE_CHECK("GAN step: the G loss differs from the reference: the non-saturating loss BCE(D(fake), 1), "
                     "judged by the discriminator after its update",
                     bits(l.g_loss) == bits(want[k][1]));
    }
}

}  // TEST_SUITE
