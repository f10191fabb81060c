// LastOfEachKeyInOrder against the obvious answer (a stable sort by whole
// keys, keeping the last of each), on keys made to be hard for a sort eight
// bytes at a time: long shared prefixes, keys that are prefixes of others,
// zero bytes, keys that end exactly at a digit's edge, repeats; few keys and
// enough to be sorted on two threads.
#include "storage/key_order.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace casework::storage {
namespace {

std::vector<size_t> Expected(const std::vector<std::string>& keys) {
  std::vector<size_t> all(keys.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::stable_sort(all.begin(), all.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<size_t> last;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i + 1 < all.size() && keys[all[i + 1]] == keys[all[i]]) continue;
    last.push_back(all[i]);
  }
  return last;
}

std::vector<size_t> Sorted(const std::vector<std::string>& keys) {
  return LastOfEachKeyInOrder(keys.size(), [&](size_t i) -> absl::string_view { return keys[i]; });
}

// `count` keys under a few namespaces whose names share their first eight
// bytes or not, with tails drawn from a small alphabet including '\0' and
// '\xff', some repeated.
std::vector<std::string> HardKeys(size_t count, uint32_t seed, bool one_namespace) {
  std::mt19937 random(seed);
  const std::vector<std::string> spaces =
      one_namespace ? std::vector<std::string>{"complaints/eastbrook/complainant/"}
                    : std::vector<std::string>{
                          "actions/",   "actions", "caseReviews/", "complaints/", "complaint",
                          "deadlines/", ""};
  const std::string alphabet(std::string("ab\0\xff/", 5));
  std::vector<std::string> keys;
  keys.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (!keys.empty() && random() % 5 == 0) {
      keys.push_back(keys[random() % keys.size()]);  // a repeat
      continue;
    }
    std::string key = spaces[random() % spaces.size()];
    const size_t tail = random() % 20;  // some end at a multiple of eight
    for (size_t j = 0; j < tail; ++j) key.push_back(alphabet[random() % alphabet.size()]);
    keys.push_back(std::move(key));
  }
  return keys;
}

TEST(KeyOrderTest, NoKeysAndOneKey) {
  EXPECT_THAT(Sorted({}), ::testing::IsEmpty());
  EXPECT_THAT(Sorted({"a"}), ::testing::ElementsAre(0u));
}

TEST(KeyOrderTest, TheLastOfARepeatedKeyIsKept) {
  // Enough keys to be sorted by digits, not as one short range.
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back(absl::StrCat("rows/partnership/", i % 7));
  const std::vector<size_t> order = Sorted(keys);
  EXPECT_THAT(order, ::testing::ElementsAre(35, 36, 37, 38, 39, 33, 34));
}

TEST(KeyOrderTest, KeysThatArePrefixesOfOthersAndZeroBytesComeFirst) {
  std::vector<std::string> keys = {"abcdefgh",  std::string("abcdefgh\0", 9), "abcdefg",
                                   "abcdefghi", std::string("abcdefg\0", 8),  "abcdefgh"};
  for (int i = 0; i < 30; ++i) keys.push_back(absl::StrCat("abcdefgh/", i));  // past 16 keys
  EXPECT_EQ(Sorted(keys), Expected(keys));
  EXPECT_EQ(Sorted(keys)[0], 2u);  // "abcdefg"
}

TEST(KeyOrderTest, ManyHardKeysAcrossNamespaces) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    const std::vector<std::string> keys = HardKeys(2000, seed, /*one_namespace=*/false);
    EXPECT_EQ(Sorted(keys), Expected(keys)) << "seed " << seed;
  }
}

TEST(KeyOrderTest, EnoughKeysForTwoThreads) {
  // Spread over namespaces (the runs shared out between the threads), and
  // all under one (one run sorted on both).
  for (bool one_namespace : {false, true}) {
    const std::vector<std::string> keys = HardKeys(150000, 7, one_namespace);
    EXPECT_EQ(Sorted(keys), Expected(keys)) << "one namespace: " << one_namespace;
  }
}

TEST(KeyOrderTest, ARunOfMoreThanHalfTheKeysBesideOthers) {
  // 60% under one namespace, sorted with both threads, the rest beside it;
  // and more than half the keys one short key, repeated, beside others.
  std::vector<std::string> keys = HardKeys(90000, 11, /*one_namespace=*/true);
  const std::vector<std::string> others = HardKeys(60000, 12, /*one_namespace=*/false);
  keys.insert(keys.end(), others.begin(), others.end());
  std::shuffle(keys.begin(), keys.end(), std::mt19937(13));
  EXPECT_EQ(Sorted(keys), Expected(keys));

  std::vector<std::string> repeated(80000, "due");
  for (int i = 0; i < 60000; ++i) repeated.push_back(absl::StrCat("due/", i % 500));
  std::shuffle(repeated.begin(), repeated.end(), std::mt19937(14));
  EXPECT_EQ(Sorted(repeated), Expected(repeated));
}

}  // namespace
}  // namespace casework::storage
