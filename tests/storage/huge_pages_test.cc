// The fold's memory in huge pages (storage/huge_pages.h), in a process that
// allocates with jemalloc as caseworkd and the bench do.
#include "storage/huge_pages.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace casework::storage {
namespace {

constexpr size_t kBlock = 64 << 20;

// The VmFlags of the mapping holding `address` (/proc/self/smaps), e.g.
// "rd wr mr mw me ac hg"; "hg" marks memory advised MADV_HUGEPAGE.
std::string VmFlagsOf(const void* address) {
  const auto at = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    // A mapping's first line begins with its range, "7f12a000-7f12c000";
    // the lines about it begin with a field name, "Size:".
    const std::string first = line.substr(0, line.find(' '));
    if (first.back() != ':') {
      uintptr_t from = 0, to = 0;
      char dash = 0;
      std::istringstream range(first);
      inside = range >> std::hex >> from >> dash >> to && dash == '-' && from <= at && at < to;
    } else if (inside && first == "VmFlags:") {
      return line.substr(first.size()) + " ";
    }
  }
  return "";
}

bool Advised(const void* address) { return VmFlagsOf(address).find(" hg ") != std::string::npos; }

std::unique_ptr<char[]> Touched(size_t bytes) {
  std::unique_ptr<char[]> block(new char[bytes]);
  std::memset(block.get(), 1, bytes);
  return block;
}

// One test, holding every block it allocates till its end: memory freed
// and reused would carry the advice it was mapped with. Built only where
// the process allocates with jemalloc (not in sanitizer builds).
TEST(HugePageScopeTest, OnlyMemoryMappedWhileAScopeIsOpenIsAdvised) {
  ASSERT_NE(mallctl, nullptr) << "this test must be linked with jemalloc";
  const std::unique_ptr<char[]> before = Touched(kBlock);
  ASSERT_NE(VmFlagsOf(before.get()), "") << "no mapping found in /proc/self/smaps";
  EXPECT_FALSE(Advised(before.get())) << VmFlagsOf(before.get());
  EXPECT_EQ(HugePageScope::AdvisedBytes(), 0u);

  std::unique_ptr<char[]> inside, after_inner;
  std::vector<std::string> strings;
  {
    HugePageScope outer;
    inside = Touched(kBlock);
    EXPECT_TRUE(Advised(inside.get())) << VmFlagsOf(inside.get());
    EXPECT_GE(HugePageScope::AdvisedBytes(), kBlock);
    // Small allocations, as the fold's rows and states are: the arenas of
    // the CPUs map new memory for them too.
    for (int i = 0; i < 200000; ++i) strings.emplace_back(100, 'x');
    EXPECT_TRUE(Advised(strings.back().data())) << VmFlagsOf(strings.back().data());

    // An inner scope closing leaves the outer one advising.
    { HugePageScope inner; }
    const size_t advised = HugePageScope::AdvisedBytes();
    after_inner = Touched(kBlock);
    EXPECT_TRUE(Advised(after_inner.get())) << VmFlagsOf(after_inner.get());
    EXPECT_GE(HugePageScope::AdvisedBytes(), advised + kBlock);
  }
  EXPECT_FALSE(Advised(before.get())) << VmFlagsOf(before.get());

  // After the last scope closes, new mappings are left alone.
  const size_t advised = HugePageScope::AdvisedBytes();
  const std::unique_ptr<char[]> after = Touched(2 * kBlock);
  EXPECT_FALSE(Advised(after.get())) << VmFlagsOf(after.get());
  EXPECT_EQ(HugePageScope::AdvisedBytes(), advised);
}

}  // namespace
}  // namespace casework::storage
