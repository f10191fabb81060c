// A main() for the fuzz targets when they are not built with libFuzzer (the
// normal gcc build): runs LLVMFuzzerTestOneInput over every corpus file, then
// over a bounded number of deterministic pseudo-random mutations of them
// (bit flips, byte changes, truncations, insertions, erasures, splices). It is
// a smoke test, not a fuzzer: there is no coverage feedback.
//
//   fuzz_<target> [--mutations=N] [--seed=S] [--timeout=SECONDS] PATH...
//
// PATH is a corpus directory (every regular file in it, sorted by name) or a
// single file. Mutations are only made when at least one directory is given,
// so `fuzz_<target> crash-file` replays exactly one input. The process exits
// 0 after printing one count line, or dies on the first crash, sanitizer
// report or broken check; the input being run is then written to
// fuzz_<target>-crash (or fuzz_<target>-timeout when it ran longer than
// --timeout seconds, default 10) in the current directory.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
// Provided by the sanitizer runtimes when the build uses them: called when a
// sanitizer report ends the process.
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)(void));

namespace {

constexpr size_t kMaxInputSize = 1 << 20;

struct Input {
  std::string name;
  std::vector<uint8_t> bytes;
};

// What is running now, for the crash handlers (async-signal-safe access only).
const uint8_t* g_data = nullptr;
size_t g_size = 0;
const char* g_origin = "";
long g_mutation = -1;
char g_crash_path[512];
char g_timeout_path[512];

void WriteAll(int fd, const void* buf, size_t n) {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    const ssize_t w = write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void Say(const char* s) { WriteAll(2, s, strlen(s)); }

void SayNumber(long n) {
  char buf[24];
  int i = sizeof(buf);
  const bool negative = n < 0;
  unsigned long u = negative ? 0UL - static_cast<unsigned long>(n) : static_cast<unsigned long>(n);
  do {
    buf[--i] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (negative) buf[--i] = '-';
  WriteAll(2, buf + i, sizeof(buf) - i);
}

void SaveCurrentInput(const char* path, const char* what) {
  if (g_data == nullptr) {
    Say("\n==standalone fuzz driver== ");
    Say(what);
    Say(" before the first input\n");
    return;
  }
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    WriteAll(fd, g_data, g_size);
    close(fd);
  }
  Say("\n==standalone fuzz driver== ");
  Say(what);
  Say(" on ");
  if (g_mutation >= 0) {
    Say("mutation #");
    SayNumber(g_mutation);
    Say(" of ");
  }
  Say(g_origin);
  Say(" (");
  SayNumber(static_cast<long>(g_size));
  Say(" bytes); input saved to ");
  Say(path);
  Say("\n");
}

void OnDeath() { SaveCurrentInput(g_crash_path, "crash"); }

void OnSignal(int sig) {
  SaveCurrentInput(g_crash_path, "crash");
  signal(sig, SIG_DFL);
  raise(sig);
}

void OnAlarm(int) {
  SaveCurrentInput(g_timeout_path, "timeout");
  _exit(70);
}

// splitmix64: small, fast and the same on every platform.
struct Random {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
};

// Bytes that often matter to the parsers under test: JSON punctuation,
// digits, spaces, protobuf varint edges.
constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '0', '9', '-', ' ',
                                    '"',  '\\', '{',  '}',  '[',  ']', ',', ':', '\n'};

void Mutate(std::vector<uint8_t>& bytes, const std::vector<Input>& corpus, Random& rng) {
  const int steps = 1 + static_cast<int>(rng.Below(4));
  for (int step = 0; step < steps; ++step) {
    const size_t n = bytes.size();
    switch (rng.Below(9)) {
      case 0:  // flip one bit
        if (n > 0) bytes[rng.Below(n)] ^= static_cast<uint8_t>(1u << rng.Below(8));
        break;
      case 1:  // set a byte to anything
        if (n > 0) bytes[rng.Below(n)] = static_cast<uint8_t>(rng.Next());
        break;
      case 2:  // set a byte to an interesting value
        if (n > 0) bytes[rng.Below(n)] = kInteresting[rng.Below(sizeof(kInteresting))];
        break;
      case 3:  // truncate
        bytes.resize(rng.Below(n + 1));
        break;
      case 4: {  // erase a range
        if (n == 0) break;
        const size_t at = rng.Below(n);
        const size_t len = 1 + rng.Below(std::min<size_t>(n - at, 16));
        bytes.erase(bytes.begin() + at, bytes.begin() + at + len);
        break;
      }
      case 5: {  // insert a few random bytes
        const size_t at = rng.Below(n + 1);
        const size_t len = 1 + rng.Below(8);
        std::vector<uint8_t> extra(len);
        for (uint8_t& b : extra) b = static_cast<uint8_t>(rng.Next());
        bytes.insert(bytes.begin() + at, extra.begin(), extra.end());
        break;
      }
      case 6: {  // duplicate a chunk of itself
        if (n == 0) break;
        const size_t from = rng.Below(n);
        const size_t len = 1 + rng.Below(std::min<size_t>(n - from, 64));
        const std::vector<uint8_t> chunk(bytes.begin() + from, bytes.begin() + from + len);
        bytes.insert(bytes.begin() + rng.Below(n + 1), chunk.begin(), chunk.end());
        break;
      }
      case 7: {  // splice: a prefix of this input, the tail of another
        const std::vector<uint8_t>& other = corpus[rng.Below(corpus.size())].bytes;
        bytes.resize(rng.Below(n + 1));
        const size_t from = rng.Below(other.size() + 1);
        bytes.insert(bytes.end(), other.begin() + from, other.end());
        break;
      }
      default: {  // overwrite a range with bytes of another input
        const std::vector<uint8_t>& other = corpus[rng.Below(corpus.size())].bytes;
        if (n == 0 || other.empty()) break;
        const size_t at = rng.Below(n);
        const size_t from = rng.Below(other.size());
        const size_t len = std::min({n - at, other.size() - from, 1 + rng.Below(32)});
        std::copy(other.begin() + from, other.begin() + from + len, bytes.begin() + at);
        break;
      }
    }
    if (bytes.size() > kMaxInputSize) bytes.resize(kMaxInputSize);
  }
}

void Run(const std::vector<uint8_t>& bytes, const char* origin, long mutation, unsigned timeout) {
  // An empty vector may have a null data(); give the target a valid pointer.
  static const uint8_t kEmpty[1] = {0};
  g_data = bytes.empty() ? kEmpty : bytes.data();
  g_size = bytes.size();
  g_origin = origin;
  g_mutation = mutation;
  if (timeout > 0) alarm(timeout);
  LLVMFuzzerTestOneInput(g_data, g_size);
  if (timeout > 0) alarm(0);
}

bool ParseFlag(const char* arg, const char* name, unsigned long* value) {
  const size_t len = strlen(name);
  if (strncmp(arg, name, len) != 0) return false;
  char* end = nullptr;
  *value = strtoul(arg + len, &end, 10);
  if (end == arg + len || *end != '\0') {
    std::fprintf(stderr, "bad flag %s\n", arg);
    std::exit(2);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = std::filesystem::path(argv[0]).filename().string();
  unsigned long mutations = 2000;
  unsigned long seed = 1;
  unsigned long timeout = 10;
  std::vector<Input> corpus;
  bool any_directory = false;

  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (ParseFlag(arg, "--mutations=", &mutations) || ParseFlag(arg, "--seed=", &seed) ||
        ParseFlag(arg, "--timeout=", &timeout)) {
      continue;
    }
    if (arg[0] == '-') {
      std::fprintf(stderr,
                   "usage: %s [--mutations=N] [--seed=S] [--timeout=SECONDS] CORPUS_DIR|FILE...\n",
                   program.c_str());
      return 2;
    }
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      any_directory = true;
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      files.push_back(arg);
    } else {
      std::fprintf(stderr, "%s: %s: no such file or directory\n", program.c_str(), arg);
      return 2;
    }
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      Input input{file.string(), std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {})};
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "%s: cannot read %s\n", program.c_str(), file.c_str());
        return 2;
      }
      corpus.push_back(std::move(input));
    }
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "%s: no inputs (give corpus directories or files)\n", program.c_str());
    return 2;
  }
  if (!any_directory) mutations = 0;

  std::snprintf(g_crash_path, sizeof(g_crash_path), "%s-crash", program.c_str());
  std::snprintf(g_timeout_path, sizeof(g_timeout_path), "%s-timeout", program.c_str());
  if (__sanitizer_set_death_callback != nullptr) {
    // The sanitizer reports SIGSEGV, SIGBUS and SIGFPE itself, then calls
    // OnDeath; keep its handlers. Traps and aborts come here.
    __sanitizer_set_death_callback(&OnDeath);
    for (int sig : {SIGILL, SIGABRT, SIGTRAP}) signal(sig, &OnSignal);
  } else {
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP}) signal(sig, &OnSignal);
  }
  signal(SIGALRM, &OnAlarm);

  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);

  for (const Input& input : corpus) {
    Run(input.bytes, input.name.c_str(), -1, static_cast<unsigned>(timeout));
  }
  Random rng{seed};
  for (unsigned long m = 0; m < mutations; ++m) {
    const Input& base = corpus[rng.Below(corpus.size())];
    std::vector<uint8_t> bytes = base.bytes;
    Mutate(bytes, corpus, rng);
    Run(bytes, base.name.c_str(), static_cast<long>(m), static_cast<unsigned>(timeout));
  }

  std::printf("%s: %zu corpus inputs and %lu mutations (seed %lu) ran without a crash\n",
              program.c_str(), corpus.size(), mutations, seed);
  return 0;
}
