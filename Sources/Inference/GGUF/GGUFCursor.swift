/// A bounds-checked little-endian reader over a GGUF file image.
///
/// Every read checks the bytes left first, and every length or count is checked against what the
/// remaining bytes could possibly hold before anything is allocated for it, so a hostile file can
/// neither read out of bounds nor make the reader reserve more memory than the file's size implies.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    let file: String
    private(set) var offset = 0
    /// The key or tensor being read, so errors name it.
    var key: String?
    var tensor: String?
    /// Array elements read so far, against ``GGUFCursor/maximumArrayElements``.
    var arrayElements = 0

    init(_ bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - offset }

    func error(_ code: GGUFError.Code, _ detail: String) -> GGUFError {
        GGUFError(code, file: file, tensor: tensor, key: key, detail)
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws(GGUFError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw error(.truncated, "file ends at byte \(bytes.count), inside the \(size)-byte \(what) at byte \(offset)")
        }
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += size
        return value
    }

    /// Upper bound for a count reserved up front; larger collections grow as their items are read,
    /// so memory follows the bytes actually parsed rather than a count the file claims.
    static func reservation(_ count: Int) -> Int { min(count, 4096) }

    /// Reads a u64 count of items each needing at least `minimumSize` bytes, rejecting counts the
    /// rest of the file cannot hold.
    mutating func count(_ what: String, minimumSize: Int) throws(GGUFError) -> Int {
        let start = offset
        let raw = try read(UInt64.self, what)
        guard raw <= UInt64(remaining / max(1, minimumSize)) else {
            throw error(
                .truncated,
                "\(what) \(raw) at byte \(start) needs at least \(minimumSize) bytes each, but only \(remaining) bytes remain")
        }
        return Int(raw)
    }

    /// Reads a GGUF string (u64 length, then bytes) that must be valid UTF-8.
    /// - Parameter invalid: the code for bytes that are not UTF-8 (metadata vs. tensor info).
    mutating func string(_ what: String, invalid: GGUFError.Code) throws(GGUFError) -> String {
        let length = try count("length of \(what)", minimumSize: 1)
        let start = offset
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)])
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw error(invalid, "\(what) at byte \(start) is not valid UTF-8")
        }
        offset += length
        return string
    }

    /// Moves to the next multiple of `alignment` (a power of two); the result may lie past the end.
    mutating func align(to alignment: Int) {
        offset = (offset + alignment - 1) / alignment * alignment
    }
}
