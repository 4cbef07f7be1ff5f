import Testing

@testable import Inference

/// A product's every element must not depend on how many workers shared it: OpenBLAS rounds edge tiles differently,
/// so the engine cuts GEMMs on a grid that does not move with the thread count.
@Suite(.serialized) struct MatMulDeterminismTests {
    @Test(arguments: [
        (10, 45, 307, false), (10, 45, 135, true), (100, 45, 307, false), (130, 384, 1536, false), (77, 384, 384, true), (700, 64, 96, false),
    ])
    func productsAreIdenticalForAnyThreadCount(m: Int, k: Int, n: Int, inputMajor: Bool) {
        let x = Matrix(rows: m, cols: k, storage: (0..<(m * k)).map { Float(($0 * 7919) % 1000) / 997 - 0.5 })
        let weights = (0..<(n * k)).map { Float(($0 * 104_729) % 1000) / 991 - 0.5 }
        let w = inputMajor ? WeightMatrix(rows: k, cols: n, storage: weights) : WeightMatrix(rows: n, cols: k, storage: weights)
        let bias = (0..<n).map { Float($0 % 13) / 13 }
        let previous = BLAS.threadCount
        defer { BLAS.setThreadCount(previous) }
        var results: [Matrix] = []
        for threads in [1, 2, 3, 4] {
            BLAS.setThreadCount(threads)
            results.append(MatMul.linear(x, w, bias: bias, weightIsInputMajor: inputMajor))
        }
        for result in results.dropFirst() { #expect(result.storage == results[0].storage) }
        // And the product is the product.
        #expect(results[0].maxAbsDifference(MatMul.linearNaive(x, w, bias: bias, weightIsInputMajor: inputMajor)) < 1e-3)
    }
}
