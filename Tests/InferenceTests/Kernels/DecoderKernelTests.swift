import Foundation
import Testing

@testable import Inference

/// The kernels LLaMA and BLOOM add, against their definitions written out plainly.
@Suite struct DecoderKernelTests {
    private static func random(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(state >> 40) - (1 << 23)) / Float(1 << 22)  // about [-2, 2)
        }
    }

    // MARK: Tests

    /// transformers' `build_alibi_tensor` for 6 heads (4 from the power-of-two series with base 1/4, then
    /// every other term of the 8-head series with base 1/2) and for 8 heads.
    @Test func alibiSlopesFollowTransformers() {
        #expect(ALiBi.slopes(heads: 6) == [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125])
        #expect(ALiBi.slopes(heads: 8) == (1...8).map { powf(0.5, Float($0)) })
        #expect(ALiBi.slopes(heads: 1) == [powf(2, -8)])
        #expect(ALiBi.slopes(heads: 12).count == 12)
    }

    @Test func rmsNormMatchesItsDefinition() {
        let (N, C) = (5, 37)
        let x = Matrix(rows: N, cols: C, storage: Self.random(N * C, seed: 1))
        let gain = Self.random(C, seed: 2)
        let y = RMSNorm(gain: gain, epsilon: 1e-6)(x)
        for r in 0..<N {
            let row = x.row(r)
            let rms = (row.reduce(0) { $0 + Double($1) * Double($1) } / Double(C) + 1e-6).squareRoot()
            for c in 0..<C { #expect(abs(Double(y.storage[r * C + c]) - Double(gain[c]) * Double(row[c]) / rms) < 1e-5) }
        }
    }

    @Test func swigluMatchesItsDefinition() {
        let (N, I) = (3, 37)
        let gateUp = Matrix(rows: N, cols: 2 * I, storage: Self.random(N * 2 * I, seed: 3))
        let y = SwiGLU.apply(gateUp)
        for r in 0..<N {
            for i in 0..<I {
                let expected = SwiGLU.reference(gate: gateUp.storage[r * 2 * I + i], up: gateUp.storage[r * 2 * I + I + i])
                #expect(abs(y.storage[r * I + i] - expected) < 1e-5 * max(1, abs(expected)))
            }
        }
    }

    /// Rotating by position p then taking a dot product with a key rotated by q depends only on p − q, and
    /// value columns are untouched: the properties RoPE exists for, checked without restating the code.
    @Test func rotaryEmbeddingIsRelativeAndLeavesValuesAlone() {
        let layout = Attention.Layout(heads: 2, keyValueHeads: 1, headSize: 8)
        let rope = RotaryEmbedding(headSize: 8, base: 10_000)
        let base = Self.random(layout.rowWidth, seed: 4)
        func rotated(_ position: Int) -> [Float] {
            var m = Matrix(rows: 1, cols: layout.rowWidth, storage: base)
            rope.apply(&m, layout: layout, positions: [position])
            return m.storage
        }
        func score(_ qPosition: Int, _ kPosition: Int) -> Float {
            let (q, k) = (rotated(qPosition), rotated(kPosition))
            return (0..<8).reduce(0) { $0 + q[layout.queryOffset(1) + $1] * k[layout.keyOffset(1) + $1] }
        }
        #expect(abs(score(7, 3) - score(4, 0)) < 1e-4)
        #expect(abs(score(12, 2) - score(10, 0)) < 1e-4)
        #expect(abs(score(5, 5) - score(0, 0)) < 1e-4)
        #expect(rotated(0) == base.map { $0 })  // position 0 is the identity
        let values = rotated(9)[layout.valueOffset(0)..<layout.rowWidth]
        #expect(Array(values) == Array(base[layout.valueOffset(0)..<layout.rowWidth]))
    }

    /// The blocked head (three vocabulary blocks, the last one partial) against log-softmax of the whole logits in double.
    @Test func headLogProbabilitiesMatchLogSoftmaxOfTheLogits() {
        let (T, C, V) = (5, 16, 2 * HeadLogProbabilities.block + 123)
        let hidden = Matrix(rows: T + 1, cols: C, storage: Self.random((T + 1) * C, seed: 6))
        let headValues = Self.random(V * C, seed: 7)
        let head = WeightMatrix(rows: V, cols: C, storage: headValues)
        let targets = [0, V - 1, HeadLogProbabilities.block, HeadLogProbabilities.block - 1, 77]
        let fused = HeadLogProbabilities.compute(hidden: hidden, head: head, targets: targets)
        for r in 0..<T {
            let logits = (0..<V).map { v in (0..<C).reduce(0.0) { $0 + Double(hidden.storage[r * C + $1]) * Double(headValues[v * C + $1]) } }
            let peak = logits.max() ?? 0
            let lse = peak + log(logits.reduce(0) { $0 + exp($1 - peak) })
            #expect(abs(Double(fused[r]) - (logits[targets[r]] - lse)) < 1e-4, "row \(r)")
        }
    }

    /// Sequences longer than one block of queries (three blocks, the last partial), causal or not, with a masked key,
    /// against plain loops.
    @Test(arguments: [true, false])
    func attentionOverSeveralQueryBlocksMatchesNaive(causal: Bool) {
        let T = 2 * Attention.queryBlock + 21
        let qkv = Matrix(rows: T + 3, cols: 3 * 24, storage: Self.random((T + 3) * 72, seed: 8))
        var mask = [Bool](repeating: true, count: T + 3)
        mask[70] = false
        let sequences = [0..<3, 3..<(T + 3)]
        let fast = Attention.forward(qkv: qkv, sequences: sequences, heads: 3, causal: causal, keyMask: mask)
        let slow = Attention.forwardNaive(qkv: qkv, sequences: sequences, heads: 3, causal: causal, keyMask: mask)
        #expect(fast.maxAbsDifference(slow) < 1e-5)
    }

    /// With as many key/value heads as query heads, the general layout is the fused GPT-2/BERT one; grouped
    /// heads read their group's key and value.
    @Test func groupedQueryAttentionSharesKeyValueHeads() {
        let layout = Attention.Layout(heads: 6, keyValueHeads: 2, headSize: 10)
        #expect(layout.rowWidth == 100)
        #expect((0..<6).map(layout.keyOffset) == [60, 60, 60, 70, 70, 70])
        #expect((0..<6).map(layout.valueOffset) == [80, 80, 80, 90, 90, 90])
        // A grouped layout equals the full layout with each key/value head copied to its query heads.
        let T = 4
        let grouped = Matrix(rows: T, cols: layout.rowWidth, storage: Self.random(T * layout.rowWidth, seed: 5))
        let full = Attention.Layout(heads: 6, keyValueHeads: 6, headSize: 10)
        var expanded = Matrix(rows: T, cols: full.rowWidth)
        for t in 0..<T {
            for h in 0..<6 {
                for i in 0..<10 {
                    expanded.storage[t * 180 + full.queryOffset(h) + i] = grouped.storage[t * 100 + layout.queryOffset(h) + i]
                    expanded.storage[t * 180 + full.keyOffset(h) + i] = grouped.storage[t * 100 + layout.keyOffset(h) + i]
                    expanded.storage[t * 180 + full.valueOffset(h) + i] = grouped.storage[t * 100 + layout.valueOffset(h) + i]
                }
            }
        }
        let a = Attention.forward(qkv: grouped, layout: layout, sequences: [0..<T], causal: true, keyMask: nil)
        let b = Attention.forward(qkv: expanded, layout: full, sequences: [0..<T], causal: true, keyMask: nil)
        let naive = Attention.forwardNaive(qkv: expanded, sequences: [0..<T], heads: 6, causal: true, keyMask: nil)
        #expect(a.maxAbsDifference(b) < 1e-6)
        #expect(a.maxAbsDifference(naive) < 1e-5)
    }
}
