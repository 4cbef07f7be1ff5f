#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The one place the engine calls BLAS, so a second backend is one file.
enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C`, all row-major.
    static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Sets how many threads BLAS may use; returns the count in effect.
    @discardableResult
    static func setThreadCount(_ count: Int) -> Int {
        #if canImport(Accelerate)
        return 1
        #else
        openblas_set_num_threads(Int32(max(1, count)))
        return Int(openblas_get_num_threads())
        #endif
    }

    /// Threads BLAS currently uses.
    static var threadCount: Int {
        #if canImport(Accelerate)
        1
        #else
        Int(openblas_get_num_threads())
        #endif
    }
}
