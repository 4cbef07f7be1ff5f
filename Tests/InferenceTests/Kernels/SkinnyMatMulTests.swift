import Testing

@testable import Inference

/// The few-row product is called directly: whether `MatMul.linear` takes it depends on the machine's BLAS kernels.
@Suite struct SkinnyMatMulTests {
    @Test(arguments: [(1, 45, 307), (6, 384, 384), (7, 13, 5), (12, 384, 1152), (16, 1536, 384), (5, 8, 1)])
    func equalsThePlainLoops(m: Int, k: Int, n: Int) {
        let x = Matrix(rows: m, cols: k, storage: (0..<(m * k)).map { Float(($0 * 7919) % 1000) / 997 - 0.5 })
        let w = WeightMatrix(rows: n, cols: k, storage: (0..<(n * k)).map { Float(($0 * 104_729) % 1000) / 991 - 0.5 })
        let bias = (0..<n).map { Float($0 % 13) / 13 }
        let residual = Matrix(rows: m, cols: n, storage: (0..<(m * n)).map { Float($0 % 17) / 17 })
        for accumulate in [false, true] {
            var y = accumulate ? residual : Matrix(rows: m, cols: n)
            x.storage.withUnsafeBufferPointer { xs in
                w.withUnsafeBufferPointer { ws in
                    bias.withUnsafeBufferPointer { bs in
                        y.storage.withUnsafeMutableBufferPointer { ys in
                            SkinnyMatMul.linear(
                                x: xs.baseAddress!, rows: m, inputs: k, weight: ws.baseAddress!, outputs: n, bias: bs.baseAddress,
                                accumulate: accumulate, y: ys.baseAddress!)
                        }
                    }
                }
            }
            var expected = MatMul.linearNaive(x, w, bias: bias, weightIsInputMajor: false)
            if accumulate { expected.add(residual) }
            #expect(y.maxAbsDifference(expected) < 1e-4, "accumulate \(accumulate)")
        }
    }
}
