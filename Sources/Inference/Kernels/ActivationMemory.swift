#if !canImport(Accelerate)
    import CBLAS
#endif

/// How the process's allocator treats the engine's activation buffers.
public enum ActivationMemory {
    /// Keeps freed activation buffers in the process for the next layer instead of handing them back to the kernel.
    ///
    /// glibc serves allocations above its mmap threshold (at most 32 MiB by its own adjustment) with fresh `mmap`s and
    /// unmaps them on free; a packed batch's intermediate activations are 48 MiB (8,192 tokens × 1,536 floats), so
    /// every layer faulted in and zeroed new pages: 1.8 million page faults embedding 1,024 sentences three times.
    /// Raising the thresholds leaves 0.5 million: the model runs on a pool thread, whose arena is made of 64 MiB
    /// heaps that are unmapped whole when emptied; with one arena for all threads (small allocations still come from
    /// each thread's cache) 40,000 remain. The resident set stays at its peak, which the benchmark reports.
    /// Call once at start, before other threads exist; false where the allocator is not glibc's.
    @discardableResult
    public static func retainFreedBuffers() -> Bool {
        #if canImport(Accelerate)
            return false
        #else
            return consortium_retain_freed_buffers(256 << 20, 1 << 30) == 1
        #endif
    }

    /// Returns the freed buffers ``retainFreedBuffers()`` keeps to the kernel, for a process that is done computing
    /// for a while (and before the benchmark measures a baseline).
    public static func releaseFreedBuffers() {
        #if !canImport(Accelerate)
            _ = consortium_release_freed_buffers()
        #endif
    }
}
