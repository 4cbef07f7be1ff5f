/// GPT-2's byte-to-character table: printable bytes stand for themselves, the other 68 bytes map to
/// U+0100 onwards, so every byte sequence is spelled by visible characters.
enum ByteLevelAlphabet {
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next) ?? " "  // 256…323 are all valid scalars
                next += 1
            }
        }
        return table
    }()

    static let scalarToByte: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (byte, scalar) in byteToScalar.enumerated() { map[scalar] = UInt8(byte) }
        return map
    }()

    static func scalar(for byte: UInt8) -> Unicode.Scalar { byteToScalar[Int(byte)] }
}
