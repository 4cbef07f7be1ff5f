#if canImport(Accelerate)
    import Accelerate
#else
    import CBLAS
#endif

/// The one place the engine calls BLAS, so a second backend is one file.
///
/// BLAS itself runs single-threaded and the engine splits each GEMM across its own workers
/// (``Parallel``): OpenBLAS's pool busy-waits between calls, which on a 2-core machine stole the
/// core that the element-wise and attention work between GEMMs needed.
enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C`, all row-major, on the calling thread.
    static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        // Reading `workers` first guarantees OpenBLAS was switched to single-threaded mode before
        // any call, which is what makes concurrent calls from our workers safe.
        _ = workers
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    nonisolated(unsafe) private static var workers = defaultWorkerCount()

    private static func defaultWorkerCount() -> Int {
        #if canImport(Accelerate)
            return 1
        #else
            let cores = Int(openblas_get_num_procs())
            openblas_set_num_threads(1)
            return max(1, cores)
        #endif
    }

    /// Sets how many threads inference uses (call before running models, not concurrently with
    /// them); returns the count in effect.
    @discardableResult
    static func setThreadCount(_ count: Int) -> Int {
        #if !canImport(Accelerate)
            openblas_set_num_threads(1)
        #endif
        workers = max(1, count)
        return workers
    }

    /// Runs `body` with OpenBLAS's own thread pool at the worker count, to measure the library's peak.
    static func withLibraryThreads<T>(_ body: () throws -> T) rethrows -> T {
        #if !canImport(Accelerate)
            openblas_set_num_threads(Int32(workers))
            defer { openblas_set_num_threads(1) }
        #endif
        return try body()
    }

    /// Threads inference uses.
    static var threadCount: Int { workers }
}
