// Task 10: conditioning, the CGAN step (docs/course.md#task-10): the GAN step of task 9
// with labels. The generator draws fakes for random labels; the discriminator judges
// (image, label) pairs; the losses are weighted, with the AC-GAN CondLoss and the
// matching-aware NoiseLoss when their weights are above 0. Graded on the tiny networks
// of tiny_gan.hpp, which record the labels of every call, and by the losses of three
// seeded steps, bit for bit.
#include "examples/common/run.hpp"
#include "tiny_gan.hpp"

using namespace xgrad;
using namespace xgrad::examples;
using xgrad::course::bits;
using xgrad::course::exact;
using xgrad::course::TinyDisc;
using xgrad::course::TinyGen;

namespace {

constexpr std::size_t B = 4, D = 6;  // batch and image size (z has D entries too)
const Indices kRealLabels{3, 0, 7, 9};

struct Weights {
    float gan = 1.0f, dis = 1.0f, cond = 0.0f, noise = 0.0f;
};

// Everything a step runs on, built the same way every time.
struct Setup {
    GanOptions opt;
    TinyGen gen{D, kClasses, 5};
    TinyDisc disc;
    nn::Adam opt_gen{gen.named_parameters(), {.lr = 0.05f, .beta1 = 0.5f}};
    nn::Adam opt_disc;
    Generator rng{7};
    Tensor x_real = course::tiny_images(B, D);
    Setup(Weights w, bool zero_disc = false)
        : disc(D, kClasses, w.cond > 0 ? kClasses : 0, 6, zero_disc),
          opt_disc(disc.named_parameters(), {.lr = 0.05f, .beta1 = 0.5f}) {
        opt.z_dim = static_cast<int>(D);
        opt.gan_weight = w.gan;
        opt.dis_weight = w.dis;
        opt.cond_weight = w.cond;
        opt.noise_weight = w.noise;
    }
    StepLosses step() { return train_step(gen, disc, opt_gen, opt_disc, x_real, kRealLabels, opt, rng); }
};

const std::string kRuns = "CGAN step: running one step (if it threw, read its message: a network called without "
                          "labels, or a class head that is not there because cond_weight is 0?)";

}  // namespace

TEST_SUITE("task10") {

TEST_CASE("step 1 against a discriminator that knows nothing: each loss term's value") {
    struct Case {
        Weights w;
        float want;
        const char* hint;
    };
    const float ln2 = 0.693147181f, ln10 = 2.30258509f;
    const Case cases[] = {
        {{}, 2 * ln2,
         "CGAN step: with the discriminator's logit 0 everywhere, DisLoss is 2 ln 2: BCE on the real pairs with target "
         "1 plus BCE on the fake pairs with target 0"},
        {{.dis = 0.5f}, ln2, "CGAN step: DisLoss is scaled by dis_weight"},
        {{.cond = 1.0f}, 2 * ln2 + 2 * ln10,
         "CGAN step: with cond_weight > 0 the D loss adds CondLoss, cond_weight times the cross-entropy of the class "
         "head on the real images (their labels) plus on the fakes (the labels they were drawn for): 2 ln 10 here"},
        {{.noise = 1.0f}, 3 * ln2,
         "CGAN step: with noise_weight > 0 the D loss adds NoiseLoss, noise_weight times the BCE of real images "
         "paired with wrong labels, with target 0: one more ln 2 here"},
    };
    for (const Case& c : cases) {
        INFO("gan_weight " << c.w.gan << ", dis_weight " << c.w.dis << ", cond_weight " << c.w.cond
                           << ", noise_weight " << c.w.noise);
        Setup s(c.w, /*zero_disc=*/true);
        StepLosses l{};
        COURSE_CHECK(kRuns, (l = s.step(), true));
        INFO("d_loss = " << exact(l.d_loss) << ", expected " << exact(c.want));
        COURSE_CHECK(std::string(c.hint), std::abs(l.d_loss - c.want) < 1e-5f);
    }
}

TEST_CASE("which labels each call gets") {
    SUBCASE("DisLoss and GanLoss") {
        Setup s({});
        COURSE_CHECK(kRuns, (s.step(), true));
        COURSE_CHECK("CGAN step: the generator runs once per step, with the labels it is asked to draw",
                     s.gen.forwards == 1 && s.gen.labels.size() == 1);
        COURSE_CHECK("CGAN step: the discriminator is called three times: real pairs and fake pairs in its step, "
                     "the fake pairs again in the generator step",
                     s.disc.labels.size() == 3);
        if (s.gen.labels.size() == 1 && s.disc.labels.size() == 3) {
            const Indices& y_fake = s.gen.labels[0];
            COURSE_CHECK("CGAN step: real images are judged with their own labels, y_real", s.disc.labels[0] == kRealLabels);
            COURSE_CHECK("CGAN step: in the discriminator step the fakes are judged with the labels they were drawn for",
                         s.disc.labels[1] == y_fake);
            COURSE_CHECK("CGAN step: in the generator step the same fakes are judged with the same labels",
                         s.disc.labels[2] == y_fake);
        }
        COURSE_CHECK("CGAN step: gradient reaches the generator only from the generator step (the discriminator step "
                     "judges the fakes cut from the generator's graph)",
                     s.gen.backwards == 1);
        COURSE_CHECK("CGAN step: the discriminator's weights get a gradient only in its own step; it is frozen during "
                     "the generator step",
                     s.disc.weight_grads == 2);
        bool all_trainable = true;
        for (const auto& [name, p] : s.disc.named_parameters()) all_trainable = all_trainable && p.requires_grad();
        COURSE_CHECK("CGAN step: the discriminator must be trainable again when the step ends", all_trainable);
        Generator fresh(7);
        fresh.normal_array({B, D});
        const Indices y_fake = random_labels(B, kClasses, fresh);
        COURSE_CHECK("CGAN step: the step draws the noise, then the fake labels (random_labels), once each and in that "
                     "order",
                     (s.gen.labels.size() == 1 && s.gen.labels[0] == y_fake &&
                      s.rng.normal_array({3}) == fresh.normal_array({3})));
    }
    SUBCASE("NoiseLoss") {
        Setup s({.noise = 1.0f});
        COURSE_CHECK(kRuns, (s.step(), true));
        COURSE_CHECK("CGAN step: with noise_weight > 0 the discriminator also judges the real images with wrong labels "
                     "(four calls in all)",
                     s.disc.labels.size() == 4);
        bool all_wrong = s.disc.labels.size() == 4;
        for (std::size_t i = 0; all_wrong && i < B; ++i) all_wrong = s.disc.labels[2][i] != kRealLabels[i];
        COURSE_CHECK("CGAN step: NoiseLoss pairs every real image with a label that is not its own (wrong_labels)",
                     all_wrong);
    }
}

TEST_CASE("three seeded steps with every loss match the reference bit for bit") {
    // gan_weight 1.5, dis_weight 0.8, cond_weight 1, noise_weight 0.5. The reference
    // step's losses (tiny_gan.hpp: no matrix products, so the same bits on every machine).
    const float want[3][2] = {{0x1.a60d3cp+2f, 0x1.88655p+2f},    // 6.59455776, 6.13118362
                              {0x1.72d53ap+2f, 0x1.b81714p+1f},   // 5.79426432, 3.43820429
                              {0x1.8c675cp+2f, 0x1.0f0a96p+2f}};  // 6.19380856, 4.23502111
    Setup s({.gan = 1.5f, .dis = 0.8f, .cond = 1.0f, .noise = 0.5f});
    for (int k = 0; k < 3; ++k) {
        StepLosses l{};
        COURSE_CHECK(kRuns, (l = s.step(), true));
        INFO("step " << k + 1 << ": d_loss " << exact(l.d_loss) << ", g_loss " << exact(l.g_loss) << "; reference "
                     << exact(want[k][0]) << ", " << exact(want[k][1]));
        COURSE_CHECK("CGAN step: the D loss differs from the reference: dis_weight · DisLoss + cond_weight · CondLoss "
                     "+ noise_weight · NoiseLoss, each term as in the checks above",
                     bits(l.d_loss) == bits(want[k][0]));
        COURSE_CHECK("CGAN step: the G loss differs from the reference: gan_weight · BCE(D(fake, y_fake), 1), plus "
                     "cond_weight · the class head's cross-entropy on the fakes and y_fake",
                     bits(l.g_loss) == bits(want[k][1]));
    }
}

}  // TEST_SUITE
