import Foundation
import Inference
import Testing

/// Thousands of mutations of the fixture, from a fixed seed: each must open or fail with a
/// ``GGUFError``, and whatever opens must dequantise every tensor and satisfy the layout invariants.
@Suite struct GGUFFuzzTests {
    private static let iterations = 5000
    /// Values that break length, count, dimension and offset fields in interesting ways.
    private static let extremes: [UInt64] = [0, 1, 2, 3, 4, 5, 31, 32, 33, 63, 64, 255, 4096, 1 << 31, 1 << 32, 1 << 62, UInt64(Int.max), UInt64.max]

    /// Offsets in `header` that hold a small u64, almost all of them real length, count, dimension
    /// or offset fields, so the mutator can aim at them without a second parser.
    private static func lengthFields(_ bytes: [UInt8], headerEnd: Int) -> [Int] {
        (0..<max(0, min(headerEnd, bytes.count) - 8)).filter { p in
            let value = bytes[p..<(p + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            return value > 0 && value < 100_000
        }
    }

    private static func mutate(_ input: [UInt8], headerEnd: Int, fields: [Int], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + rng.next(3)) {
            guard !bytes.isEmpty else { break }
            // Mostly aim at the header, where the validation lives; sometimes anywhere.
            let position = rng.next(4) == 0 ? rng.next(bytes.count) : rng.next(min(headerEnd, bytes.count))
            switch rng.next(8) {
            case 0: bytes[position] = UInt8(truncatingIfNeeded: rng.next(256))
            case 1: bytes[position] ^= UInt8(1) << UInt8(rng.next(8))
            case 2: bytes = Array(bytes.prefix(rng.next(bytes.count + 1)))
            case 3: bytes.insert(contentsOf: (0..<(1 + rng.next(8))).map { _ in UInt8(truncatingIfNeeded: rng.next(256)) }, at: position)
            case 4: bytes.removeSubrange(position..<min(bytes.count, position + 1 + rng.next(8)))
            case 5, 6:
                // Set a length/count/dimension/offset field to an extreme, as u64 or as its low u32.
                guard !fields.isEmpty else { break }
                let field = fields[rng.next(fields.count)]
                let value = extremes[rng.next(extremes.count)]
                let width = rng.next(2) == 0 ? 8 : 4
                for i in 0..<width where field + i < bytes.count { bytes[field + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            default:
                // Swap two header bytes: moves type ids and lengths between fields.
                let other = rng.next(min(headerEnd, bytes.count))
                bytes.swapAt(position, other)
            }
        }
        return bytes
    }

    // MARK: Tests

    @Test func mutatedFilesNeverCrashAndOpenedOnesDequantise() throws {
        let fixture = FixtureFiles.path("gguf-quant/quant.gguf")
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture)))
        let headerEnd = try GGUFFile(path: fixture).dataOffset
        let fields = Self.lengthFields(original, headerEnd: headerEnd)
        let directory = try GGUFBuilder.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/fuzz.gguf"
        var rng = SplitMix64(seed: 0x6600_F00D)
        var opened = 0
        var rejected: [String: Int] = [:]
        for iteration in 0..<Self.iterations {
            let bytes = Self.mutate(original, headerEnd: headerEnd, fields: fields, &rng)
            try GGUFBuilder.write(bytes, to: path)
            let file: GGUFFile
            do {
                file = try GGUFFile(path: path)
            } catch {
                rejected[error.code.description, default: 0] += 1
                #expect(error.file == path)
                continue
            }
            opened += 1
            #expect(file.dataOffset % file.alignment == 0)
            var ends: [(Int, Int)] = []
            for info in file.tensors.values {
                #expect(info.offset % file.alignment == 0, "iteration \(iteration)")
                #expect(file.dataOffset + info.offset + info.byteCount <= bytes.count, "iteration \(iteration)")
                #expect(info.dimensions.allSatisfy { $0 > 0 } && info.dimensions.count <= 4)
                ends.append((info.offset, info.offset + info.byteCount))
                do {
                    let values = try file.floats(info.name)
                    #expect(values.count == info.elementCount, "iteration \(iteration)")
                } catch {
                    #expect(error.code == .unsupportedType, "iteration \(iteration): \(error)")
                }
            }
            let sorted = ends.sorted { $0.0 < $1.0 }
            #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.1 <= $1.0 }, "iteration \(iteration)")
        }
        #expect(opened + rejected.values.reduce(0, +) == Self.iterations)
        // The mutations must exercise both outcomes and several distinct failure modes.
        #expect(opened > 50, "opened \(opened), rejected \(rejected)")
        #expect(rejected.count >= 6, "opened \(opened), rejected \(rejected)")
    }
}
