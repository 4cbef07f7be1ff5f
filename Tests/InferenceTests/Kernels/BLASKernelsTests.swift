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

/// The allocator settings the executable applies at start.
extension BLASKernelsTests {
    @Test func shortProductsGoToOpenBLASOnlyWhereItHasSmallMatrixKernels() {
        #expect(BLASKernels.hasSmallMatrixKernels("SkylakeX"))
        #expect(BLASKernels.hasSmallMatrixKernels("Cooperlake"))
        #expect(!BLASKernels.hasSmallMatrixKernels("Haswell"))
        #expect(!BLASKernels.hasSmallMatrixKernels("Zen"))
        #expect(!BLASKernels.hasSmallMatrixKernels("Prescott"))
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
