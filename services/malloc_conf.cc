// jemalloc's settings for the server processes, read as it starts
// (MALLOC_CONF in the environment is applied after them).
//
// By default jemalloc hands freed pages back to the system only as later
// allocations come along, over ten seconds, so what a burst freed (a
// memtable flushed, a compaction's buffers, a long page of a list) stayed
// resident and the peak RSS under load was the sum of such bursts. A
// background thread now returns dirty pages after a second and skips the
// "muzzy" stage. Measured under the bench's 64-in-flight load: resident
// memory about 30 MB lower, throughput within the run-to-run noise
// (bench/RESULTS.md).
//
// Each CPU has one arena, and a thread allocates from the arena of the CPU
// it runs on, rather than from one of four arenas per CPU that threads are
// spread over. Freed pages wait in fewer arenas: on the quick load at 64 in
// flight on two CPUs, peak RSS 254 -> 245 MB, throughput unchanged.
extern "C" {
__attribute__((used)) const char* malloc_conf =
    "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,percpu_arena:percpu";
}
