// allocator.cpp — the size-keyed block cache behind CachingAllocator.
#include "allocator.hpp"

#include <cstdlib>
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

// aligned_alloc wants a size that is a multiple of the alignment.
void* system_allocate(std::size_t bytes) {
    void* p = std::aligned_alloc(kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

}  // namespace

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
        if (it != c.free_blocks.end() && !it->second.empty()) {
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
        if (c.stats.cached_bytes + bytes <= kMaxCachedBytes) {
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
