import Dispatch

/// Splits element-wise and attention work across the same number of threads BLAS uses, so the
/// cores that share the GEMMs also share everything between them.
enum Parallel {
    /// A pointer that may cross into worker closures. Each worker touches a disjoint range.
    struct SharedPointer<T>: @unchecked Sendable {
        let base: UnsafeMutablePointer<T>
    }

    /// A read-only pointer for worker closures.
    struct SharedReadPointer<T>: @unchecked Sendable {
        let base: UnsafePointer<T>
    }

    /// Calls `body` on contiguous chunks of `0..<count`, concurrently when the work is big enough.
    static func forEachChunk(_ count: Int, minimumChunk: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let workers = min(BLAS.threadCount, max(1, count / max(1, minimumChunk)))
        if workers <= 1 {
            body(0..<count)
            return
        }
        let chunk: @Sendable (Int) -> Void = { w in body((count * w / workers)..<(count * (w + 1) / workers)) }
        // More workers than the pool has (a `--threads` above the core count) go through Dispatch.
        if !WorkerPool.shared.run(workers: workers, chunk) {
            DispatchQueue.concurrentPerform(iterations: workers, execute: chunk)
        }
    }

    /// Calls `body(i)` for every `i` in `0..<count`, spread over the worker threads.
    static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        forEachChunk(count, minimumChunk: 1) { range in for i in range { body(i) } }
    }
}
