// Transparent huge pages for a fold of the whole log.
//
// A fold (a replay, --verify, --rebuild, a partnership's import) fills
// hundreds of megabytes of states and rows once. With the kernel's 4 KiB
// pages each of them is a page fault on first touch, about a fifth of the
// fold's time; with 2 MiB pages, one in 512 of them.
//
// While a HugePageScope lives, memory the allocator (jemalloc) maps for the
// process is advised to the kernel as huge-page memory (madvise
// MADV_HUGEPAGE), which the kernel backs with huge pages when its setting
// allows ("always" or "madvise" in
// /sys/kernel/mm/transparent_hugepage/enabled). Memory mapped before or
// after the scope is left alone: a serving process keeps 4 KiB pages, which
// return to the system more readily (services/malloc_conf.cc). Without
// jemalloc (a sanitizer build) a scope does nothing.
#ifndef CASEWORK_STORAGE_HUGE_PAGES_H_
#define CASEWORK_STORAGE_HUGE_PAGES_H_

#include <cstddef>

namespace casework::storage {

class HugePageScope {
 public:
  HugePageScope();
  ~HugePageScope();
  HugePageScope(const HugePageScope&) = delete;
  HugePageScope& operator=(const HugePageScope&) = delete;

  // Bytes the allocator mapped and advised while some scope was open, over
  // the life of the process.
  static size_t AdvisedBytes();
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_HUGE_PAGES_H_
