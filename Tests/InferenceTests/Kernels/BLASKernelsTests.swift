import Foundation
import Testing

@testable import Inference

/// When the engine overrides OpenBLAS's kernel choice, and when it must not.
@Suite struct BLASKernelsTests {
    @Test func onlyTheGenericFallbackIsOverriddenAndOnlyWithVectorUnitsToUse() {
        #expect(BLASKernels.override(chosen: "Prescott", vectorLevel: 2, coreTypeSet: false) == "SkylakeX")
        #expect(BLASKernels.override(chosen: "Prescott", vectorLevel: 1, coreTypeSet: false) == "Haswell")
        #expect(BLASKernels.override(chosen: "Prescott", vectorLevel: 0, coreTypeSet: false) == nil)
        // A model OpenBLAS knows keeps its own kernels, and an operator's OPENBLAS_CORETYPE always wins.
        #expect(BLASKernels.override(chosen: "Zen", vectorLevel: 1, coreTypeSet: false) == nil)
        #expect(BLASKernels.override(chosen: "SkylakeX", vectorLevel: 2, coreTypeSet: false) == nil)
        #expect(BLASKernels.override(chosen: "Prescott", vectorLevel: 2, coreTypeSet: true) == nil)
    }
}

/// Where a sentence's short products go.
extension BLASKernelsTests {
    @Test func shortProductsGoToOpenBLASOnlyOnIntelCPUsWithItsSmallMatrixKernels() {
        #expect(BLASKernels.prefersOpenBLASForShortProducts(core: "SkylakeX", intel: true))
        #expect(BLASKernels.prefersOpenBLASForShortProducts(core: "Cooperlake", intel: true))
        #expect(BLASKernels.prefersOpenBLASForShortProducts(core: "SapphireRapids", intel: true))
        // Zen 4 runs the Cooperlake kernels, with AVX-512 in two halves.
        #expect(!BLASKernels.prefersOpenBLASForShortProducts(core: "Cooperlake", intel: false))
        #expect(!BLASKernels.prefersOpenBLASForShortProducts(core: "Haswell", intel: true))
        #expect(!BLASKernels.prefersOpenBLASForShortProducts(core: "Zen", intel: false))
        #expect(!BLASKernels.prefersOpenBLASForShortProducts(core: "Prescott", intel: true))
    }

    /// The vendor the choice rests on agrees with what the kernel says about this machine.
    @Test func vendorMatchesProcCPUInfo() throws {
        #if os(Linux) && arch(x86_64)
            let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            #expect(BLASKernels.isIntel == cpuinfo.contains("GenuineIntel"))
        #endif
    }
}

@Suite struct ActivationMemoryTests {
    @Test func glibcAcceptsTheThresholdsAndTheSingleArena() {
        #if os(Linux)
            // mallopt refuses values outside its limits (a threshold above its maximum, for one) by returning 0.
            #expect(ActivationMemory.retainFreedBuffers())
        #endif
    }
}
