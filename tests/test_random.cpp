// test_random.cpp — Generator: reproducible streams, the distributions' ranges and
// moments, unbiased randint, and state()/set_state() continuing the exact stream.
// Every statistical bound below is many standard deviations wide; the seeds are
// fixed, so each check is deterministic — the width only says "not a fluke".
#include "check.hpp"

#include <cmath>
#include <locale>
#include <string>

using namespace xgrad;

TEST_CASE("same seed, same stream; different seed, different stream") {
    Generator a(42), b(42), c(43);
    bool all_equal = true, any_differs = false;
    for (int i = 0; i < 100; ++i) {
        const std::uint64_t x = a.next_u64(), y = b.next_u64(), z = c.next_u64();
        all_equal = all_equal && x == y;
        any_differs = any_differs || x != z;
        // mixing the distributions keeps the streams in step too
        CHECK(a.normal() == b.normal());
        CHECK(a.uniform() == b.uniform());
        CHECK(a.randint(10) == b.randint(10));
    }
    CHECK(all_equal);
    CHECK(any_differs);
}

TEST_CASE("uniform") {
    Generator gen(1);
    const int n = 100000;
    double sum = 0.0;
    float lo = 1.0f, hi = 0.0f;
    bool in_range = true, on_grid = true;
    for (int i = 0; i < n; ++i) {
        const float u = gen.uniform();
        in_range = in_range && u >= 0.0f && u < 1.0f;
        on_grid = on_grid && std::ldexp(u, 24) == std::floor(std::ldexp(u, 24));  // a multiple of 2^-24
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        sum += u;
    }
    CHECK(in_range);
    CHECK(on_grid);
    // mean of U(0, 1) is 1/2, its standard error sqrt(1/12 / n) ~ 0.0009: 0.01 is > 10 sigma
    CHECK(sum / n == doctest::Approx(0.5).epsilon(0.02));
    CHECK(lo < 0.001f);  // the draws reach both ends
    CHECK(hi > 0.999f);

    SUBCASE("uniform(lo, hi) and uniform_array") {
        bool ok = true;
        for (int i = 0; i < 1000; ++i) {
            const float u = gen.uniform(-3.0f, 2.0f);
            ok = ok && u >= -3.0f && u < 2.0f;
        }
        CHECK(ok);
        const Array a = gen.uniform_array({4, 5}, 10.0f, 11.0f);
        CHECK(a.shape() == Shape{4, 5});
        CHECK(xt::amin(a)() >= 10.0f);
        CHECK(xt::amax(a)() < 11.0f);
    }
}

TEST_CASE("normal") {
    Generator gen(2);
    const int n = 100000;
    double sum = 0.0, sum_sq = 0.0, sum_pair = 0.0, previous = 0.0;
    int within_one = 0;
    for (int i = 0; i < n; ++i) {
        const double z = gen.normal();
        sum += z;
        sum_sq += z * z;
        within_one += std::abs(z) < 1.0;
        if (i % 2 == 1) sum_pair += previous * z;  // the two halves of one Box-Muller pair
        previous = z;
    }
    const double mean = sum / n;
    const double stddev = std::sqrt(sum_sq / n - mean * mean);
    // standard errors: mean 1/sqrt(n) ~ 0.0032, std 1/sqrt(2n) ~ 0.0022, P(|z| < 1) ~ 0.0015
    CHECK(std::abs(mean) < 0.02);
    CHECK(stddev == doctest::Approx(1.0).epsilon(0.02));
    CHECK(within_one / double(n) == doctest::Approx(0.6827).epsilon(0.02));  // the bell shape, not just moments
    // the two values of a pair are independent: E[z1 z2] = 0 (standard error sqrt(2/n) ~ 0.0045)
    CHECK(std::abs(sum_pair / (n / 2)) < 0.03);

    SUBCASE("normal(mean, stddev) and normal_array") {
        const Array a = gen.normal_array({200, 100}, 5.0f, 0.5f);
        CHECK(a.shape() == Shape{200, 100});
        const double m = xt::mean(a)();
        CHECK(m == doctest::Approx(5.0).epsilon(0.01));
        CHECK(xt::stddev(a)() == doctest::Approx(0.5).epsilon(0.05));
    }
}

TEST_CASE("randint") {
    SUBCASE("in range [0, n)") {
        Generator gen(3);
        bool ok = true;
        for (std::uint64_t n : {1u, 2u, 3u, 7u, 1000u})
            for (int i = 0; i < 1000; ++i) ok = ok && gen.randint(n) < n;
        CHECK(ok);
        for (int i = 0; i < 10; ++i) CHECK(gen.randint(1) == 0);
    }
    SUBCASE("no bias on small n: chi-square of the counts") {
        Generator gen(4);
        for (std::uint64_t n : {2u, 3u, 5u, 7u}) {
            CAPTURE(n);
            const int draws = 70000;
            std::vector<int> count(n, 0);
            for (int i = 0; i < draws; ++i) ++count[gen.randint(n)];
            double chi2 = 0.0;
            const double expected = double(draws) / double(n);
            for (int c : count) chi2 += (c - expected) * (c - expected) / expected;
            // chi-square with n - 1 <= 6 degrees of freedom: P(chi2 > 40) < 1e-6
            CHECK(chi2 < 40.0);
            for (int c : count) CHECK(c > 0);
        }
    }
    SUBCASE("no modulo bias on large n") {
        // n = 3 * 2^62 = 0.75 * 2^64. Plain `next_u64() % n` would map [n, 2^64) onto
        // [0, 2^62), so P(x < 2^62) would be 1/2 instead of 1/3.
        Generator gen(5);
        const std::uint64_t n = 3ull << 62;
        const int draws = 30000;
        int low = 0;
        for (int i = 0; i < draws; ++i) low += gen.randint(n) < (1ull << 62);
        CHECK(low / double(draws) == doctest::Approx(1.0 / 3.0).epsilon(0.05));  // sd ~ 0.0027
    }
    SUBCASE("n = 0 is an error") {
        Generator gen;
        CHECK_THROWS_WITH_AS(gen.randint(0), "Generator::randint: n must be positive", std::invalid_argument);
    }
}

TEST_CASE("state / set_state") {
    // Draws that mix every kind of consumer of the engine.
    auto draw = [](Generator& g) {
        std::vector<double> out;
        for (int i = 0; i < 20; ++i) {
            out.push_back(g.normal());
            out.push_back(g.uniform());
            out.push_back(static_cast<double>(g.randint(1000)));
            out.push_back(g.normal());
            out.push_back(g.normal());
        }
        return out;
    };

    SUBCASE("round trip continues the identical stream") {
        Generator g(6);
        draw(g);
        const std::string s = g.state();
        const std::vector<double> expected = draw(g);
        Generator h(999);
        h.set_state(s);
        CHECK(draw(h) == expected);
        CHECK(h.state() == g.state());
    }
    SUBCASE("the cached Box-Muller spare is part of the state") {
        Generator g(7);
        g.normal();  // computes a pair: returns one, caches the other
        const std::string s = g.state();
        const float spare = g.normal();  // the cached one
        const float next = g.normal();   // the first of a new pair
        Generator h(8);
        h.normal();  // h has a spare of its own, which set_state must replace
        h.set_state(s);
        CHECK(h.normal() == spare);
        CHECK(h.normal() == next);
    }
    SUBCASE("no spare cached: set_state drops the one the target had") {
        Generator g(9);
        const std::string s = g.state();
        const float first = g.normal();
        Generator h(10);
        h.normal();  // caches a spare
        h.set_state(s);
        CHECK(h.normal() == first);
    }
    SUBCASE("a negative spare round-trips exactly") {
        Generator g(11);
        while (true) {  // find a state whose cached spare is negative (about every other pair)
            g.normal();
            const std::string s = g.state();
            Generator probe(0);
            probe.set_state(s);
            const float spare = probe.normal();
            if (spare < 0.0f) {
                CHECK(g.normal() == spare);
                break;
            }
            g.normal();
        }
    }
    SUBCASE("independent of the global locale") {
        // A locale that groups digits ("1,234,567") would break the engine's text form.
        struct Grouping : std::numpunct<char> {
            char do_thousands_sep() const override { return ','; }
            std::string do_grouping() const override { return "\3"; }
        };
        struct GlobalLocale {  // sets the global locale, restores the previous one on exit
            std::locale previous;
            explicit GlobalLocale(const std::locale& l) : previous(std::locale::global(l)) {}
            ~GlobalLocale() { std::locale::global(previous); }
        } grouping(std::locale(std::locale::classic(), new Grouping));
        Generator g(12);
        g.normal();
        const std::string s = g.state();
        const float spare = g.normal();
        Generator h;
        h.set_state(s);
        const float restored = h.normal();
        CHECK(s.find(',') == std::string::npos);
        CHECK(restored == spare);
    }
    SUBCASE("a malformed state throws and leaves the generator unchanged") {
        Generator g(13);
        g.normal();
        const std::string good = g.state();
        const std::string message =
            "Generator::set_state: malformed state string; pass a string returned by Generator::state()";
        const std::string head = good.substr(0, good.rfind(' '));  // everything but the spare
        Generator h(14);
        const std::string before = h.state();
        CHECK_THROWS_WITH_AS(h.set_state("garbage"), message.c_str(), std::invalid_argument);
        CHECK_THROWS_WITH_AS(h.set_state(""), message.c_str(), std::invalid_argument);
        CHECK_THROWS_WITH_AS(h.set_state(head), message.c_str(), std::invalid_argument);  // spare missing
        CHECK_THROWS_WITH_AS(h.set_state(head + " zz"), message.c_str(), std::invalid_argument);
        CHECK_THROWS_WITH_AS(h.set_state(head + " 0x1.8p+0zz"), message.c_str(), std::invalid_argument);
        CHECK_THROWS_WITH_AS(h.set_state(good + " 5"), message.c_str(), std::invalid_argument);  // trailing junk
        CHECK_THROWS_WITH_AS(h.set_state(good.substr(0, good.size() / 2)), message.c_str(), std::invalid_argument);
        CHECK(h.state() == before);
        h.set_state(good + "\n");  // trailing whitespace is fine
        CHECK(h.state() == good);
    }
}
