// test_allocator.cpp — CachingAllocator: a freed block comes back for the next
// request of its size, small blocks bypass the cache, blocks freed on another
// thread are cached too, release_cached_blocks() empties the cache, and a
// training-like loop stops asking the system for memory after its first step.
// With the cache switched off, every freed block goes back to the system.
// meson runs this file twice: with XGRAD_NO_CACHING_ALLOCATOR=0 (the cache on)
// and =1 (off); each run skips the test cases of the other.
#include "check.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

using namespace xgrad;

namespace {
// Start every test from an empty cache and zeroed counters.
void fresh_cache() {
    release_cached_blocks();
    reset_allocator_stats();
}
// Decorators: a test case of the cache, and one of the cache switched off.
const auto with_cache = doctest::skip(!caching_enabled());
const auto without_cache = doctest::skip(caching_enabled());
}  // namespace

TEST_CASE("CachingAllocator reuses a freed block of the same size" * with_cache) {
    fresh_cache();
    const float* first = nullptr;
    {
        Array a = Array::from_shape({64, 1024});  // 256 KiB: cached when freed
        first = a.data();
        CHECK(reinterpret_cast<std::uintptr_t>(first) % 64 == 0);
    }
    AllocatorStats s = allocator_stats();
    CHECK(s.from_system == 1);
    CHECK(s.cached_blocks == 1);
    CHECK(s.cached_bytes == 64 * 1024 * sizeof(float));

    SUBCASE("the same size: the very same block, from the cache") {
        Array b = Array::from_shape({1024, 64});  // another shape, the same number of bytes
        CHECK(b.data() == first);
        s = allocator_stats();
        CHECK(s.from_cache == 1);
        CHECK(s.from_system == 1);
        CHECK(s.cached_blocks == 0);
        CHECK(s.cached_bytes == 0);
    }
    SUBCASE("another size: a new block from the system") {
        Array b = Array::from_shape({64, 1000});
        s = allocator_stats();
        CHECK(s.from_cache == 0);
        CHECK(s.from_system == 2);
        CHECK(s.cached_blocks == 1);
    }
    SUBCASE("release_cached_blocks gives the blocks back") {
        release_cached_blocks();
        s = allocator_stats();
        CHECK(s.cached_blocks == 0);
        CHECK(s.cached_bytes == 0);
        CHECK(s.to_system == 1);
    }
}

TEST_CASE("CachingAllocator leaves small blocks to malloc") {
    fresh_cache();
    { Array small = Array::from_shape({kMinCachedBytes / sizeof(float) - 1}); }
    { Array scalar(1.5f); }
    const AllocatorStats s = allocator_stats();
    CHECK(s.from_system == 0);
    CHECK(s.from_cache == 0);
    CHECK(s.cached_blocks == 0);
}

TEST_CASE("CachingAllocator: a block freed on another thread is cached" * with_cache) {
    fresh_cache();
    Array a = Array::from_shape({2048});  // 8 KiB
    const float* block = a.data();
    std::thread([moved = std::move(a)]() mutable { moved = Array(); }).join();  // freed over there
    CHECK(allocator_stats().cached_blocks == 1);
    std::thread([block] {
        Array b = Array::from_shape({2048});
        CHECK(b.data() == block);  // and handed out over here
    }).join();
    CHECK(allocator_stats().from_cache == 1);
}

TEST_CASE("CachingAllocator: a training loop allocates from the system only in its first step" * with_cache) {
    fresh_cache();
    Generator gen(1);
    nn::Linear fc1(100, 256, gen), fc2(256, 1, gen);
    nn::NamedTensors params;
    for (const auto& [name, p] : fc1.named_parameters()) params.emplace_back("fc1." + name, p);
    for (const auto& [name, p] : fc2.named_parameters()) params.emplace_back("fc2." + name, p);
    nn::Adam opt(params, {.lr = 1e-3f});
    const Tensor x(gen.normal_array({64, 100})), target(xt::zeros<float>({64, 1}));
    auto step = [&] {
        opt.zero_grad();
        Tensor loss = nn::mse(fc2(relu(fc1(x))), target);
        loss.backward();
        opt.step();
    };
    step();
    step();  // the optimizer makes its state in its first step
    reset_allocator_stats();
    for (int i = 0; i < 3; ++i) step();
    const AllocatorStats s = allocator_stats();
    INFO("from_cache ", s.from_cache, ", from_system ", s.from_system);
    CHECK(s.from_cache > 0);
    CHECK(s.from_system == 0);
}

TEST_CASE("XGRAD_NO_CACHING_ALLOCATOR=1: every freed block goes back to the system" * without_cache) {
    fresh_cache();
    for (int i = 0; i < 3; ++i) {
        Array a = Array::from_shape({64, 1024});  // 256 KiB: cached if the cache were on
        CHECK(reinterpret_cast<std::uintptr_t>(a.data()) % 64 == 0);  // still aligned
    }
    { Array b = Array::from_shape({kMinCachedBytes / sizeof(float)}); }  // the smallest cacheable size
    const AllocatorStats s = allocator_stats();
    CHECK(s.cached_blocks == 0);
    CHECK(s.cached_bytes == 0);
    CHECK(s.from_cache == 0);
    CHECK(s.from_system == 4);
    CHECK(s.to_system == 4);
}

TEST_CASE("the cache follows XGRAD_NO_CACHING_ALLOCATOR") {
    const char* no_cache = std::getenv("XGRAD_NO_CACHING_ALLOCATOR");
    INFO("XGRAD_NO_CACHING_ALLOCATOR=", no_cache ? no_cache : "(unset)");
    if (no_cache != nullptr && *no_cache != '\0') CHECK(caching_enabled() == (std::string(no_cache) == "0"));
}
