#if canImport(Glibc)
    import Glibc
#endif
#if !canImport(Accelerate)
    import CBLAS
#endif

/// Which kernel set OpenBLAS runs, and the repair for a release that does not know this CPU.
///
/// OpenBLAS built with `DYNAMIC_ARCH` picks its kernels from the CPU model number once, when the
/// library loads. A release older than the CPU (Debian 12's 0.3.21 on Emerald Rapids, model 207)
/// falls back to Prescott, SSE3 only: sgemm at 20–40 GFLOP/s where the same library forced to its
/// SkylakeX kernels gives 230–260. The choice cannot be changed after loading, so an executable
/// calls ``restartIfMisdetected()`` first thing and the process restarts with `OPENBLAS_CORETYPE`
/// naming the kernels the CPU's feature bits allow.
public enum BLASKernels {
    /// Set in the restarted process to the kernel set OpenBLAS had chosen on its own.
    static let restartMarker = "CONSORTIUM_BLAS_DETECTED"

    /// The kernel set in use ("SkylakeX", "Haswell", "Zen", …; "Accelerate" on Apple systems).
    public static var coreName: String {
        #if canImport(Accelerate)
            return "Accelerate"
        #else
            return String(cString: openblas_get_corename())
        #endif
    }

    /// What OpenBLAS chose by itself when this process was restarted to override it; nil otherwise.
    public static var detectedCoreName: String? {
        getenv(restartMarker).map { String(cString: $0) }
    }

    /// The kernel set OpenBLAS chose by itself: ``detectedCoreName`` after an override, else ``coreName``.
    public static var chosenByOpenBLAS: String { detectedCoreName ?? coreName }

    /// Whether short products (a sentence's few rows) should go to OpenBLAS rather than ``SkinnyMatMul``: where its
    /// kernel set has AVX-512 kernels for small products, which work on the operands in place instead of packing
    /// them, and the CPU is an Intel one. Measured with MiniLM's batch-1 forward: on the Xeon (Emerald Rapids)
    /// OpenBLAS's took 2.8 ms against 4.0 in ``SkinnyMatMul``, and with the Haswell kernels on the same machine
    /// 7.1 against 4.0; on AMD's Zen 4, which OpenBLAS runs with the same Cooperlake kernels but whose AVX-512 works
    /// in 256-bit halves, 2.8–3.0 against 2.2–2.6.
    static func prefersOpenBLASForShortProducts(core: String, intel: Bool) -> Bool {
        intel && ["skylakex", "cooperlake", "sapphirerapids"].contains(core.lowercased())
    }

    /// Whether this process runs on an Intel CPU.
    static var isIntel: Bool {
        #if canImport(Accelerate)
            return false
        #else
            return consortium_x86_is_intel() == 1
        #endif
    }

    /// The widest vector kernels the CPU allows OpenBLAS: 2 for AVX-512, 1 for AVX2 with FMA, 0 otherwise.
    static var vectorLevel: Int {
        #if canImport(Accelerate)
            return 0
        #else
            return Int(consortium_x86_vector_level())
        #endif
    }

    /// The kernel set to force, given OpenBLAS's own choice, the CPU's vector level
    /// (``vectorLevel``) and whether `OPENBLAS_CORETYPE` is already set.
    /// Only the generic fallback is overridden, and never a choice the operator made.
    static func override(chosen: String, vectorLevel: Int, coreTypeSet: Bool) -> String? {
        guard !coreTypeSet, chosen.lowercased() == "prescott" else { return nil }
        switch vectorLevel {
        case 2: return "SkylakeX"
        case 1: return "Haswell"
        default: return nil
        }
    }

    /// Re-executes this program with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to its generic
    /// kernels on a CPU with AVX2 or AVX-512; returns (doing nothing) otherwise or if the restart fails.
    /// Call before any thread starts: `execv` replaces the whole process.
    public static func restartIfMisdetected() {
        #if !canImport(Accelerate) && os(Linux)
            guard
                let forced = override(
                    chosen: coreName, vectorLevel: vectorLevel,
                    coreTypeSet: getenv("OPENBLAS_CORETYPE") != nil)
            else { return }
            setenv("OPENBLAS_CORETYPE", forced, 1)
            setenv(restartMarker, coreName, 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            // Still here: the restart failed; run on the kernels we have rather than not at all.
            unsetenv("OPENBLAS_CORETYPE")
            unsetenv(restartMarker)
        #endif
    }
}
