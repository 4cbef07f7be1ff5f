import Testing

@testable import Inference

/// A product's epilogue, run per block, must equal the product followed by the same work as passes of its own, on every
/// path `MatMul.linear` takes: few rows (column blocks, or the few-row kernel), many rows cut by rows, many rows cut by
/// columns (where a norm has to wait for whole rows), with and without a residual, and an empty product.
@Suite struct EpilogueTests {
    @Test(arguments: [(12, 40, 24), (100, 40, 24), (70, 24, 200), (3, 0, 24)])
    func perBlockEqualsSeparatePasses(m: Int, k: Int, n: Int) {
        let x = Matrix(rows: m, cols: k, storage: (0..<(m * k)).map { Float(($0 * 7919) % 1000) / 997 - 0.5 })
        let w = WeightMatrix(rows: n, cols: k, storage: (0..<(n * k)).map { Float(($0 * 104_729) % 1000) / 991 - 0.5 })
        let bias = (0..<n).map { Float($0 % 13) / 13 - 0.4 }
        let residual = Matrix(rows: m, cols: n, storage: (0..<(m * n)).map { Float($0 % 17) / 17 })
        let norm = LayerNorm(gain: (0..<n).map { 1 + Float($0 % 5) / 10 }, bias: (0..<n).map { Float($0 % 3) / 10 }, epsilon: 1e-5)
        for withResidual in [false, true] {
            var plain = MatMul.linearNaive(x, w, bias: bias, weightIsInputMajor: false)
            if withResidual { plain.add(residual) }
            var gelu = plain
            Activation.gelu.apply(&gelu)
            let normed = norm(plain)
            let cases: [(Epilogue, Matrix, String)] = [
                (.bias, plain, "bias"), (.activation(.gelu), gelu, "gelu"), (.layerNorm(norm), normed, "norm"),
            ]
            for (epilogue, expected, name) in cases {
                let y = MatMul.linear(x, w, bias: bias, weightIsInputMajor: false, residual: withResidual ? residual : nil, then: epilogue)
                #expect(y.maxAbsDifference(expected) < 1e-4, "\(name), residual \(withResidual)")
            }
        }
    }
}
