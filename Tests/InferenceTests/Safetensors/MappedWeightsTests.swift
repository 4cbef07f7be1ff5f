import Foundation
import Testing

@testable import Inference

/// F32 weights are read in place from the mapped file; what cannot be (other dtypes, unaligned data) is converted.
@Suite struct MappedWeightsTests {
    private static func checkpoint(_ builder: SafetensorsBuilder) throws -> CheckpointWeights {
        let dir = try SafetensorsBuilder.temporaryDirectory()
        try SafetensorsBuilder.write(builder.bytes(), to: dir + "/model.safetensors")
        return try CheckpointWeights(directory: dir)
    }

    // MARK: Tests

    @Test func alignedF32IsMappedAndOutlivesTheFileObject() throws {
        var b = SafetensorsBuilder()
        // A tensor before it, so the mapped one starts past the data section's first byte.
        b.addFloats("before", shape: [3], [9, 8, 7])
        let values: [Float] = (0..<12).map { Float($0) * 0.5 - 2 }
        b.addFloats("w", shape: [3, 4], values)
        let matrix = try {
            var binder = WeightBinder(try Self.checkpoint(b))
            _ = try binder.take("before", shape: [3])
            return try binder.matrix("w", 3, 4)
        }()
        // The checkpoint and binder are gone; the matrix keeps the mapping alive.
        #expect(matrix.isMapped == SafetensorsFile.mapsWeights)
        #expect(matrix.floats == values)
        #expect(matrix.rows == 3 && matrix.cols == 4)
        if case .mapped(_, let offset, _) = matrix.elements { #expect(offset % 4 == 0 && offset > 0) }
    }

    @Test func halfPrecisionAndUnalignedF32AreConvertedInstead() throws {
        var b = SafetensorsBuilder()
        // One F16 element (2 bytes) first puts the F32 tensor after it at an address that is not a multiple of 4.
        b.addRaw("h", dtype: "F16", shape: [1, 1], withUnsafeBytes(of: Float16(0.5).bitPattern.littleEndian) { Array($0) })
        b.addFloats("w", shape: [1, 2], [1.25, -7])
        var binder = WeightBinder(try Self.checkpoint(b))
        let half = try binder.matrix("h", 1, 1)
        let unaligned = try binder.matrix("w", 1, 2)
        #expect(!half.isMapped && half.floats == [0.5])
        #expect(!unaligned.isMapped && unaligned.floats == [1.25, -7])
    }

    /// A product over mapped weights is the product over the same weights in an array.
    @Test func mappedWeightsMultiplyLikeOwnedOnes() throws {
        var b = SafetensorsBuilder()
        let values: [Float] = (0..<(37 * 45)).map { i in Float((i * 7919) % 1000) / 997 - 0.5 }
        b.addFloats("w", shape: [37, 45], values)
        var binder = WeightBinder(try Self.checkpoint(b))
        let mapped = try binder.matrix("w", 37, 45)
        try #require(mapped.isMapped == SafetensorsFile.mapsWeights)
        let inputs: [Float] = (0..<225).map { i in Float(i % 31) / 31 }
        let x = Matrix(rows: 5, cols: 45, storage: inputs)
        let owned = WeightMatrix(rows: 37, cols: 45, storage: values)
        #expect(MatMul.linear(x, mapped, bias: nil, weightIsInputMajor: false) == MatMul.linear(x, owned, bias: nil, weightIsInputMajor: false))
    }
}
