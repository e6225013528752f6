// allocator.cpp — the size-keyed block cache behind CachingAllocator.
#include "allocator.hpp"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace xgrad {

namespace {

constexpr std::size_t kAlignment = 64;

struct Cache {
    std::mutex mutex;
    std::unordered_map<std::size_t, std::vector<void*>> free_blocks;  // size in bytes -> free blocks of that size
    AllocatorStats stats;
};

// Never destroyed: Arrays that live in static or thread_local objects are freed
// after main() returns, and must still find the cache then. The OS reclaims it.
Cache& cache() {
    static Cache* c = new Cache;
    return *c;
}

// Whether this build has AddressSanitizer (GCC says so with a macro, clang with a feature test).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// XGRAD_NO_CACHING_ALLOCATOR: unset or empty, the build's default; 0, cache;
// anything else (1, yes, ...), no cache.
bool read_caching_switch() {
    const char* no_cache = std::getenv("XGRAD_NO_CACHING_ALLOCATOR");
    if (no_cache == nullptr || *no_cache == '\0') return !kAddressSanitizer;
    return std::strcmp(no_cache, "0") == 0;
}

// aligned_alloc wants a size that is a multiple of the alignment.
void* system_allocate(std::size_t bytes) {
    void* p = std::aligned_alloc(kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

}  // namespace

bool caching_enabled() {
    static const bool enabled = read_caching_switch();  // read once: one setting for the whole run
    return enabled;
}

namespace detail {

void* cached_allocate(std::size_t bytes) {
    if (bytes < kMinCachedBytes) {
        void* p = std::malloc(bytes > 0 ? bytes : 1);
        if (p == nullptr) throw std::bad_alloc();
        return p;
    }
    Cache& c = cache();
    {
        std::lock_guard<std::mutex> lock(c.mutex);
        auto it = c.free_blocks.find(bytes);
        if (it != c.free_blocks.end() && !it->second.empty()) {  // (always empty with the cache off)
            void* p = it->second.back();
            it->second.pop_back();
            --c.stats.cached_blocks;
            c.stats.cached_bytes -= bytes;
            ++c.stats.from_cache;
            return p;
        }
        ++c.stats.from_system;
    }
    return system_allocate(bytes);  // outside the lock: the system may take a while
}

void cached_deallocate(void* p, std::size_t bytes) noexcept {
    if (p == nullptr) return;
    if (bytes < kMinCachedBytes) {
        std::free(p);
        return;
    }
    Cache& c = cache();
    {
        std::lock_guard<std::mutex> lock(c.mutex);
        if (caching_enabled() && c.stats.cached_bytes + bytes <= kMaxCachedBytes) {
            try {
                c.free_blocks[bytes].push_back(p);
                ++c.stats.cached_blocks;
                c.stats.cached_bytes += bytes;
                return;
            } catch (...) {  // no memory for the bookkeeping: give the block back instead
            }
        }
        ++c.stats.to_system;
    }
    std::free(p);
}

}  // namespace detail

AllocatorStats allocator_stats() {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    return c.stats;
}

void reset_allocator_stats() {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.from_cache = c.stats.from_system = c.stats.to_system = 0;
}

void release_cached_blocks() {
    std::vector<void*> blocks;
    {
        Cache& c = cache();
        std::lock_guard<std::mutex> lock(c.mutex);
        for (auto& [bytes, list] : c.free_blocks) blocks.insert(blocks.end(), list.begin(), list.end());
        c.free_blocks.clear();
        c.stats.to_system += blocks.size();
        c.stats.cached_blocks = 0;
        c.stats.cached_bytes = 0;
    }
    for (void* p : blocks) std::free(p);
}

}  // namespace xgrad
