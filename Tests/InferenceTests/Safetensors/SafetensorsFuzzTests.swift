import Foundation
import Inference
import Testing

/// Thousands of mutated headers, from a fixed seed: the parser must reject or accept each one
/// without crashing, and whatever it accepts must satisfy the invariants readers rely on.
@Suite struct SafetensorsFuzzTests {
    private static let iterations = 6000

    private static func base() -> [UInt8] {
        var b = SafetensorsBuilder()
        b.addFloats("embeddings.weight", shape: [3, 2], [1, 2, 3, 4, 5, 6])
        b.addFloats("norm.bias", shape: [2], [0, 1])
        b.addRaw("position_ids", dtype: "I64", shape: [1, 2], Array(repeating: 0, count: 16))
        return b.bytes(header: b.headerJSON(metadata: ["format": "pt"]))
    }

    private static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let headerEnd = min(bytes.count, 8 + Int(bytes[0]) + Int(bytes[1]) << 8)
        let alphabet = Array("{}[]\",:0123456789-.eE FBIU".utf8)
        for _ in 0..<(1 + rng.next(4)) {
            guard !bytes.isEmpty else { break }
            let position = rng.next(max(1, headerEnd))
            switch rng.next(7) {
            case 0: if position < bytes.count { bytes[position] = UInt8(truncatingIfNeeded: rng.next(256)) }
            case 1: if position < bytes.count { bytes[position] = alphabet[rng.next(alphabet.count)] }
            case 2: bytes.insert(alphabet[rng.next(alphabet.count)], at: min(position, bytes.count))
            case 3: if position < bytes.count { bytes.remove(at: position) }
            case 4: bytes = Array(bytes.prefix(rng.next(bytes.count + 1)))
            case 5: if bytes.count >= 8 { bytes[rng.next(8)] = UInt8(truncatingIfNeeded: rng.next(256)) }
            default:
                // Swap two digits so offsets and shapes change while the JSON stays valid.
                let digits = bytes.indices.filter { (48...57).contains(bytes[$0]) && $0 < headerEnd }
                if digits.count >= 2 { bytes.swapAt(digits[rng.next(digits.count)], digits[rng.next(digits.count)]) }
            }
        }
        return bytes
    }

    // MARK: Tests

    @Test func mutatedHeadersNeverCrashAndAcceptedOnesAreConsistent() {
        var rng = SplitMix64(seed: 0x5AFE_7E45)
        let original = Self.base()
        var accepted = 0
        var rejected = 0
        for _ in 0..<Self.iterations {
            let bytes = Self.mutate(original, &rng)
            do {
                let result = bytes.withUnsafeBytes { buffer in
                    Result { () throws(SafetensorsError) in try SafetensorsHeader.parse(buffer, file: "fuzz") }
                }
                let header = try result.get()
                accepted += 1
                let dataLength = bytes.count - header.dataOffset
                var cursor = 0
                for info in header.tensors.values.sorted(by: { $0.byteRange.lowerBound < $1.byteRange.lowerBound }) {
                    #expect(info.byteRange.lowerBound == cursor)
                    #expect(info.elementCount * info.dtype.byteCount == info.byteRange.count)
                    cursor = info.byteRange.upperBound
                }
                #expect(cursor == dataLength)
            } catch {
                rejected += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(accepted + rejected == Self.iterations)
        #expect(rejected > Self.iterations / 2)
    }
}

/// A small deterministic generator (Vigna's SplitMix64), so fuzz runs repeat exactly.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0).
    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
}
