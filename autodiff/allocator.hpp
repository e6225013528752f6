// allocator.hpp — CachingAllocator, the allocator behind every Array: freed
// blocks are kept, by size, and handed out again.
//
// Why: a training step makes the same arrays every time (activations,
// gradients, temporaries), with the same sizes, and frees them at the end of
// the step. With plain malloc/free, glibc serves a large block (above its mmap
// threshold, 128 KiB and up) straight from the OS and gives it back on free, so
// the next step gets fresh pages again: a page fault and a page of zeroing per
// 4 KiB it touches. This allocator keeps each freed block in a cache keyed by
// its size in bytes; the next request for that size takes it back out. After
// the first step or two, training allocates (almost) nothing from the system.
//
// - Blocks under kMinCachedBytes go straight to malloc/free: glibc already
//   keeps small blocks in per-thread caches, and never returns them to the OS.
// - Thread-safe: one cache for the process, behind a mutex, so a block freed on
//   another thread than the one that allocated it is fine.
// - The cache holds at most kMaxCachedBytes; a block freed when it is full goes
//   back to the system. release_cached_blocks() empties it.
// - Blocks are 64-byte aligned (one cache line; full AVX-512 vectors).
// - The cache can be switched off: XGRAD_NO_CACHING_ALLOCATOR=1 in the environment
//   (any value but empty or 0; read once, the first time the allocator asks). Every block then
//   goes back to the system when freed, so a memory checker sees each use of a freed
//   block: AddressSanitizer cannot see one inside a block that sits in the cache.
//   It is off by default in a build with AddressSanitizer; =0 switches it on there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>

namespace xgrad {

inline constexpr std::size_t kMinCachedBytes = 4096;
inline constexpr std::size_t kMaxCachedBytes = std::size_t{1} << 30;  // 1 GiB

// What the cache has done since the program started (or since reset_allocator_stats()).
struct AllocatorStats {
    std::size_t cached_blocks = 0;   // free blocks waiting in the cache now
    std::size_t cached_bytes = 0;    // their total size
    std::uint64_t from_cache = 0;    // allocations (of cacheable size) served from the cache
    std::uint64_t from_system = 0;   // allocations (of cacheable size) that went to the system
    std::uint64_t to_system = 0;     // freed cacheable blocks given back to the system (cache full or released)
};

AllocatorStats allocator_stats();
// False when the cache is switched off (see above): the stats then show no cached
// blocks, and every freed block of cacheable size counts in to_system.
bool caching_enabled();
// Zero the three counters (the cache keeps its blocks).
void reset_allocator_stats();
// Give every cached block back to the system.
void release_cached_blocks();

namespace detail {
void* cached_allocate(std::size_t bytes);
void cached_deallocate(void* p, std::size_t bytes) noexcept;
}  // namespace detail

// A standard allocator (stateless: every instance shares the one cache).
template <class T>
struct CachingAllocator {
    using value_type = T;

    CachingAllocator() noexcept = default;
    template <class U>
    CachingAllocator(const CachingAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(detail::cached_allocate(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { detail::cached_deallocate(p, n * sizeof(T)); }

    template <class U>
    bool operator==(const CachingAllocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace xgrad
