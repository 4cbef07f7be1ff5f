import Foundation
import Testing

@testable import Inference

/// The BLAS-backed kernels against the naive loops kept beside them.
@Suite struct KernelTests {
    private static func random(_ rows: Int, _ cols: Int, _ rng: inout SplitMix64) -> Matrix {
        Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in Float(rng.next(2001)) / 1000 - 1 })
    }

    // MARK: Tests

    @Test(arguments: [false, true])
    func linearMatchesNaive(weightIsInputMajor: Bool) {
        var rng = SplitMix64(seed: 7)
        let x = Self.random(13, 45, &rng)
        let w = WeightMatrix(weightIsInputMajor ? Self.random(45, 67, &rng) : Self.random(67, 45, &rng))
        let bias = (0..<67).map { Float($0) / 67 }
        let fast = MatMul.linear(x, w, bias: bias, weightIsInputMajor: weightIsInputMajor)
        let slow = MatMul.linearNaive(x, w, bias: bias, weightIsInputMajor: weightIsInputMajor)
        #expect(fast.maxAbsDifference(slow) < 1e-4)
        let residual = Self.random(13, 67, &rng)
        var expected = slow
        expected.add(residual)
        #expect(MatMul.linear(x, w, bias: bias, weightIsInputMajor: weightIsInputMajor, residual: residual).maxAbsDifference(expected) < 1e-4)
    }

    @Test(arguments: [false, true])
    func fewRowLinearCutIntoSmallGEMMsMatchesNaive(weightIsInputMajor: Bool) {
        var rng = SplitMix64(seed: 13)
        let x = Self.random(12, 384, &rng)
        let w = WeightMatrix(weightIsInputMajor ? Self.random(384, 1157, &rng) : Self.random(1157, 384, &rng))
        let bias = (0..<1157).map { Float($0 % 17) / 17 }
        #expect(12 * 384 * 1157 > MatMul.smallProductLimit, "the product must be cut into several calls")
        let fast = MatMul.linear(x, w, bias: bias, weightIsInputMajor: weightIsInputMajor)
        #expect(fast.maxAbsDifference(MatMul.linearNaive(x, w, bias: bias, weightIsInputMajor: weightIsInputMajor)) < 1e-3)
    }

    @Test(arguments: [false, true])
    func attentionMatchesNaive(causal: Bool) {
        var rng = SplitMix64(seed: 11)
        let qkv = Self.random(17, 3 * 45, &rng)
        let sequences = [0..<5, 5..<6, 6..<17]
        var mask = [Bool](repeating: true, count: 17)
        mask[9] = false
        let fast = Attention.forward(qkv: qkv, sequences: sequences, heads: 3, causal: causal, keyMask: mask)
        let slow = Attention.forwardNaive(qkv: qkv, sequences: sequences, heads: 3, causal: causal, keyMask: mask)
        #expect(fast.maxAbsDifference(slow) < 1e-5)
    }

    @Test func layerNormNormalisesEachRow() {
        let norm = LayerNorm(gain: [1, 1, 1, 1], bias: [0, 0, 0, 0], epsilon: 1e-12)
        let y = norm(Matrix(rows: 1, cols: 4, storage: [1, 2, 3, 4]))
        #expect(abs(y.storage.reduce(0, +)) < 1e-6)
        #expect(abs(y.storage.map { $0 * $0 }.reduce(0, +) / 4 - 1) < 1e-5)
    }

    @Test func geluVariantsMatchKnownValues() {
        var exact = Matrix(rows: 1, cols: 3, storage: [-1, 0, 1])
        Activation.gelu.apply(&exact)
        #expect(abs(exact.storage[2] - 0.8413447) < 1e-6 && abs(exact.storage[0] + 0.1586553) < 1e-6)
        var tanh = Matrix(rows: 1, cols: 1, storage: [1])
        Activation.geluTanh.apply(&tanh)
        #expect(abs(tanh.storage[0] - 0.8411920) < 1e-6)
    }
}

/// The eight-lane math against libm.
@Suite struct VectorMathTests {
    // MARK: Tests

    @Test(arguments: [Activation.gelu, .geluTanh, .relu])
    func vectorActivationsMatchScalarDefinitions(activation: Activation) {
        let inputs = stride(from: Float(-12), through: 12, by: 0.0137).map { $0 }
        var x = Matrix(rows: 1, cols: inputs.count, storage: inputs)
        activation.apply(&x)
        let worst = zip(x.storage, inputs).map { abs($0 - activation.reference($1)) }.max() ?? .infinity
        #expect(worst < 2e-6, "\(activation): \(worst)")
    }

    @Test func expMatchesLibmInRelativeTerms() {
        for x in stride(from: Float(-80), through: 80, by: 0.173) {
            let ours = VectorMath.exp(SIMD8(repeating: x))[0]
            #expect(abs(ours - Foundation.exp(x)) <= 3e-7 * Foundation.exp(x), "exp(\(x))")
        }
    }
}
