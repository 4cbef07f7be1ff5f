extension GGMLType {
    /// Dequantises `rows` rows of `rowLength` elements stored back to back in `source`.
    ///
    /// The arithmetic follows gguf-py's `quants.py` operation by operation in `Float`, so results are
    /// bit-exact with it (and with ggml's scalar `dequantize_row_*`): Q8_0 is `q * d`, Q4_0 is
    /// `(q - 8) * d`, Q4_1 is `q * d` rounded, then `+ m` rounded — never a fused multiply-add.
    /// - Precondition: the type ``isReadableAsFloat`` and `source` holds exactly the rows.
    func dequantize(_ source: UnsafeRawBufferPointer, rows: Int, rowLength: Int) -> [Float] {
        let count = rows * rowLength
        let rowBytes = rowLength / blockSize * blockByteCount
        precondition(isReadableAsFloat && source.count == rows * rowBytes, "dequantize called with an unvalidated tensor")
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard count > 0, let output = buffer.baseAddress, let input = source.baseAddress else {
                initialized = 0
                return
            }
            let from = Parallel.SharedReadPointer(base: input.assumingMemoryBound(to: UInt8.self))
            let to = Parallel.SharedPointer(base: output)
            // Rows are independent; chunks of ~32K elements keep thread start-up cheap relative to work.
            Parallel.forEachChunk(rows, minimumChunk: max(1, 32768 / max(1, rowLength))) { chunk in
                for row in chunk {
                    dequantizeRow(UnsafeRawPointer(from.base + row * rowBytes), into: to.base + row * rowLength, count: rowLength)
                }
            }
            initialized = count
        }
    }

    private func dequantizeRow(_ row: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .f32:
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: row.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f16:
            for i in 0..<count { out[i] = Float(Self.half(row, 2 * i)) }
        case .bf16:
            for i in 0..<count {
                out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: row.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
            }
        case .q8_0:
            for block in 0..<(count / 32) {
                let base = row + 34 * block
                let d = Float(Self.half(base, 0))
                for j in 0..<32 { out[32 * block + j] = Float(Int8(bitPattern: base.load(fromByteOffset: 2 + j, as: UInt8.self))) * d }
            }
        case .q4_0:
            for block in 0..<(count / 32) {
                let base = row + 18 * block
                let d = Float(Self.half(base, 0))
                for j in 0..<16 {
                    let byte = base.load(fromByteOffset: 2 + j, as: UInt8.self)
                    out[32 * block + j] = Float(Int(byte & 0x0F) - 8) * d
                    out[32 * block + j + 16] = Float(Int(byte >> 4) - 8) * d
                }
            }
        case .q4_1:
            for block in 0..<(count / 32) {
                let base = row + 20 * block
                let d = Float(Self.half(base, 0))
                let m = Float(Self.half(base, 2))
                for j in 0..<16 {
                    let byte = base.load(fromByteOffset: 4 + j, as: UInt8.self)
                    // numpy's `(d * qs) + m`: the product of an f16 scale and a 4-bit quant is exact in
                    // Float, so only the addition rounds, and an FMA would give the same bits; kept as two
                    // operations to read like the reference.
                    let low = Float(byte & 0x0F) * d
                    let high = Float(byte >> 4) * d
                    out[32 * block + j] = low + m
                    out[32 * block + j + 16] = high + m
                }
            }
        default:
            preconditionFailure("\(self) is not readable as Float")
        }
    }

    private static func half(_ pointer: UnsafeRawPointer, _ offset: Int) -> Float16 {
        Float16(bitPattern: UInt16(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }
}
