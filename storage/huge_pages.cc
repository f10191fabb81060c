#include "storage/huge_pages.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

// jemalloc's control interface, when the process allocates with jemalloc
// (the server and the bench link it; tests and sanitizer builds do not).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace casework::storage {
namespace {

// jemalloc's extent_hooks_t (man jemalloc, "arena.<i>.extent_hooks"): how an
// arena maps, unmaps, commits, purges, splits and merges its memory. Only
// the first, alloc, is replaced; the other eight are kept as they were.
struct ExtentHooks {
  void* (*alloc)(ExtentHooks* hooks, void* new_addr, size_t size, size_t alignment, bool* zero,
                 bool* commit, unsigned arena);
  void* others[8];
};

std::mutex mu;
// Guarded by mu: how many scopes are open, and the arenas the first of them
// gave the advising hooks (they had the default ones).
int open_scopes = 0;
std::vector<unsigned> replaced;
// Arena 0's hooks as first found, and a copy of them with Alloc in place of
// theirs: what the arenas use while a scope is open. Both live for ever, as
// an arena may use them again after the scope closes.
ExtentHooks* default_hooks = nullptr;
ExtentHooks advising_hooks;
std::atomic<bool> advising{false};
std::atomic<size_t> advised_bytes{0};

void* Alloc(ExtentHooks*, void* new_addr, size_t size, size_t alignment, bool* zero, bool* commit,
            unsigned arena) {
  void* memory =
      default_hooks->alloc(default_hooks, new_addr, size, alignment, zero, commit, arena);
  if (memory != nullptr && advising.load(std::memory_order_relaxed) &&
      ::madvise(memory, size, MADV_HUGEPAGE) == 0) {
    advised_bytes.fetch_add(size, std::memory_order_relaxed);
  }
  return memory;
}

std::string HooksName(unsigned arena) { return "arena." + std::to_string(arena) + ".extent_hooks"; }

// The hooks of arena `arena`, or null if it has none yet (or no jemalloc).
ExtentHooks* HooksOf(unsigned arena) {
  ExtentHooks* hooks = nullptr;
  size_t size = sizeof(hooks);
  if (mallctl(HooksName(arena).c_str(), &hooks, &size, nullptr, 0) != 0) return nullptr;
  return hooks;
}

bool SetHooks(unsigned arena, ExtentHooks* hooks) {
  return mallctl(HooksName(arena).c_str(), nullptr, nullptr, &hooks, sizeof(hooks)) == 0;
}

// jemalloc makes the arena of the largest allocations (past
// opt.oversize_threshold) on the first such allocation, with the default
// hooks: one now, so that it exists to be given the advising hooks.
void MakeOversizeArena() {
  size_t threshold = 0;
  size_t size = sizeof(threshold);
  if (mallctl("opt.oversize_threshold", &threshold, &size, nullptr, 0) != 0 || threshold == 0) {
    return;
  }
  void* volatile block = std::malloc(threshold + 1);  // volatile: not elided
  std::free(block);
}

// Puts the advising hooks on every arena that has the default ones: the
// arenas of the CPUs and that of the largest allocations.
void Install() {
  if (default_hooks == nullptr) {
    default_hooks = HooksOf(0);
    if (default_hooks == nullptr) return;
    advising_hooks = *default_hooks;
    advising_hooks.alloc = &Alloc;
    MakeOversizeArena();
  }
  unsigned arenas = 0;
  size_t size = sizeof(arenas);
  if (mallctl("arenas.narenas", &arenas, &size, nullptr, 0) != 0) return;
  for (unsigned arena = 0; arena < arenas; ++arena) {
    if (HooksOf(arena) == default_hooks && SetHooks(arena, &advising_hooks)) {
      replaced.push_back(arena);
    }
  }
}

}  // namespace

HugePageScope::HugePageScope() {
  if (mallctl == nullptr) return;
  std::lock_guard<std::mutex> lock(mu);
  if (open_scopes++ > 0) return;
  Install();
  advising.store(true, std::memory_order_relaxed);
}

HugePageScope::~HugePageScope() {
  if (mallctl == nullptr) return;
  std::lock_guard<std::mutex> lock(mu);
  if (--open_scopes > 0) return;
  advising.store(false, std::memory_order_relaxed);
  for (unsigned arena : replaced) SetHooks(arena, default_hooks);
  replaced.clear();
}

size_t HugePageScope::AdvisedBytes() { return advised_bytes.load(std::memory_order_relaxed); }

}  // namespace casework::storage
