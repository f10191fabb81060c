// Sorting many keys at once, as a fold of the whole log does its read-model
// rows.
//
// Read-model keys share long prefixes ("complaints/{p}/complainant/..."):
// a comparison of two whole keys reads both from wherever they were
// allocated and compares most of their bytes, and a sort makes about
// twenty per key. KeyOrder sorts them eight bytes at a time instead, most
// significant first: each key's next eight bytes are loaded once, beside
// its place, as one integer, and the places are sorted by it; only the keys
// that agree on all eight and go on are sorted again by the next eight (an
// MSD radix sort on 64-bit digits). A sort by integers kept in the array
// it sorts reads no key during its comparisons.
#ifndef CASEWORK_STORAGE_KEY_ORDER_H_
#define CASEWORK_STORAGE_KEY_ORDER_H_

#include <cstddef>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace casework::storage {

// The positions 0..count-1 of keys `key_of(i)` in byte order of the keys
// (as RocksDB's bytewise comparator and std::string order them), each key
// once: of a key given at more than one position, the last position.
// Sorts large sets (65,536 keys or more) on two threads. The keys must stay
// as they are until it returns.
std::vector<size_t> LastOfEachKeyInOrder(size_t count,
                                         absl::FunctionRef<absl::string_view(size_t)> key_of);

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_KEY_ORDER_H_
