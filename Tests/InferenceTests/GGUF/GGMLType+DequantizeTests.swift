import Foundation
import Inference
import Testing

/// Hand-built blocks with known answers, independent of gguf-py: nibble order, scale and minimum,
/// and a tensor large enough that dequantisation runs on several threads.
@Suite struct GGMLTypeDequantizeTests {
    private static func half(_ value: Float16) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }

    private static func open(_ builder: GGUFBuilder) throws -> GGUFFile {
        let path = try GGUFBuilder.temporaryDirectory() + "/blocks.gguf"
        try GGUFBuilder.write(builder.bytes(), to: path)
        return try GGUFFile(path: path)
    }

    // MARK: Tests

    @Test func q4BlocksPutLowNibblesFirst() throws {
        // Byte j holds element j in its low nibble and element j + 16 in its high nibble.
        let nibbles = (0..<16).map { UInt8($0) | UInt8(15 - $0) << 4 }
        var b = GGUFBuilder()
        b.addTensor("q4_0", dimensions: [32], type: .q4_0, data: Self.half(0.5) + nibbles)
        b.addTensor("q4_1", dimensions: [32], type: .q4_1, data: Self.half(2) + Self.half(-1) + nibbles)
        let file = try Self.open(b)
        let low = (0..<16).map(Float.init)
        let high = (0..<16).map { Float(15 - $0) }
        #expect(try file.floats("q4_0") == (low + high).map { ($0 - 8) * 0.5 })
        #expect(try file.floats("q4_1") == (low + high).map { $0 * 2 - 1 })
    }

    @Test func q8BlocksScaleSignedBytes() throws {
        let quants: [Int8] = (0..<32).map { Int8($0 * 8 - 128) }
        var b = GGUFBuilder()
        b.addTensor("q8_0", dimensions: [32], type: .q8_0, data: Self.half(-0.25) + quants.map { UInt8(bitPattern: $0) })
        #expect(try Self.open(b).floats("q8_0") == quants.map { Float($0) * -0.25 })
    }

    @Test func largeTensorsDequantiseRowByRowInParallel() throws {
        // 512 rows of 8 Q8_0 blocks; block k of row r has scale (r % 7 + 1) / 8 and quants (j + r + k) as Int8.
        let rows = 512
        let blocks = 8
        var data: [UInt8] = []
        var expected: [Float] = []
        for r in 0..<rows {
            for k in 0..<blocks {
                let d = Float16(Float(r % 7 + 1) / 8)
                data += Self.half(d)
                for j in 0..<32 {
                    let q = Int8(truncatingIfNeeded: j + r + k)
                    data.append(UInt8(bitPattern: q))
                    expected.append(Float(q) * Float(d))
                }
            }
        }
        var b = GGUFBuilder()
        b.addTensor("embedding", dimensions: [UInt64(32 * blocks), UInt64(rows)], type: .q8_0, data: data)
        let file = try Self.open(b)
        #expect(file.tensors["embedding"]?.shape == [rows, 32 * blocks])
        #expect(try file.floats("embedding") == expected)
    }
}
