/// The validated header of a GGUF file: version, metadata, tensor entries and where the data begins.
struct GGUFHeader: Sendable {
    /// ggml's default when `general.alignment` is absent.
    static let defaultAlignment = 32
    /// `GGML_MAX_DIMS`.
    static let maximumDimensions = 4
    /// Smallest possible key-value pair: key length, a 1-byte key, value type, a 1-byte value.
    private static let minimumPairSize = 8 + 1 + 4 + 1
    /// Smallest possible tensor info: name length, a 1-byte name, n_dims, type, offset.
    static let minimumTensorInfoSize = 8 + 1 + 4 + 4 + 8

    let version: Int
    let metadata: [String: GGUFValue]
    let tensors: [String: GGUFTensorInfo]
    let alignment: Int
    /// Offset of the data section from the start of the file.
    let dataOffset: Int

    /// Parses and validates a complete GGUF file image.
    ///
    /// Checks magic and version, that every count and length fits in the bytes left, that keys and
    /// tensor names are unique UTF-8, that the alignment is a power of two, that each tensor's
    /// dimensions, type and offset are valid, and that the tensors lie inside the file without overlap.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - file: the name used in errors.
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(GGUFError) -> GGUFHeader {
        var cursor = GGUFCursor(bytes, file: file)
        guard bytes.count >= 4 else {
            throw cursor.error(.truncated, "file is \(bytes.count) bytes, shorter than the 4-byte magic")
        }
        let magic = Array(UnsafeRawBufferPointer(rebasing: bytes[0..<4]))
        guard magic == Array("GGUF".utf8) else {
            throw cursor.error(.badMagic, "starts with bytes \(magic), not \"GGUF\"")
        }
        _ = try cursor.read(UInt32.self, "magic")
        let version = try cursor.read(UInt32.self, "version")
        guard version == 2 || version == 3 else {
            let hint =
                version.byteSwapped == 2 || version.byteSwapped == 3
                ? " (the file is big-endian)" : version == 1 ? " (GGUF v1 used 32-bit counts)" : ""
            throw cursor.error(.unsupportedVersion, "version \(version) is not supported, only 2 and 3\(hint)")
        }
        let tensorCount = try cursor.count("tensor_count", minimumSize: minimumTensorInfoSize)
        let pairCount = try cursor.count("kv_count", minimumSize: minimumPairSize)
        // Each count alone fits; together they must too, since both sections follow.
        guard tensorCount * minimumTensorInfoSize + pairCount * minimumPairSize <= cursor.remaining else {
            throw cursor.error(
                .truncated, "\(tensorCount) tensors and \(pairCount) key-value pairs cannot fit in the \(cursor.remaining) bytes left")
        }
        let metadata = try readMetadata(pairCount, &cursor)
        let alignment = try alignment(metadata, cursor)
        let tensors = try readTensorInfos(tensorCount, alignment: alignment, &cursor)
        cursor.align(to: alignment)
        try checkPlacement(tensors, dataOffset: cursor.offset, cursor)
        return GGUFHeader(version: Int(version), metadata: metadata, tensors: tensors, alignment: alignment, dataOffset: cursor.offset)
    }

    private static func readMetadata(_ count: Int, _ cursor: inout GGUFCursor) throws(GGUFError) -> [String: GGUFValue] {
        var metadata: [String: GGUFValue] = [:]
        metadata.reserveCapacity(GGUFCursor.reservation(count))
        for index in 0..<count {
            let start = cursor.offset
            let key = try cursor.string("key of pair \(index)", invalid: .invalidMetadata)
            guard !key.isEmpty else { throw cursor.error(.invalidMetadata, "key of pair \(index) at byte \(start) is empty") }
            cursor.key = key
            guard metadata[key] == nil else { throw cursor.error(.invalidMetadata, "key appears twice (again at byte \(start))") }
            let type = try cursor.read(UInt32.self, "value type")
            metadata[key] = try cursor.value(type: type)
            cursor.key = nil
        }
        return metadata
    }

    private static func alignment(_ metadata: [String: GGUFValue], _ cursor: GGUFCursor) throws(GGUFError) -> Int {
        let key = "general.alignment"
        guard let value = metadata[key] else { return defaultAlignment }
        guard case .uint32(let alignment) = value, alignment > 0, alignment & (alignment - 1) == 0 else {
            throw GGUFError(.invalidMetadata, file: cursor.file, key: key, "must be a uint32 power of two, not \(value)")
        }
        return Int(alignment)
    }

    private static func checkPlacement(_ tensors: [String: GGUFTensorInfo], dataOffset: Int, _ cursor: GGUFCursor) throws(GGUFError) {
        let fileSize = cursor.bytes.count
        for info in tensors.values {
            let (start, overflow) = dataOffset.addingReportingOverflow(info.offset)
            guard !overflow, start <= fileSize, info.byteCount <= fileSize - start else {
                throw GGUFError(
                    .outOfRange, file: cursor.file, tensor: info.name,
                    "\(info.byteCount) bytes at data offset \(info.offset) (file byte \(dataOffset) + \(info.offset))"
                        + " run past the \(fileSize)-byte file"
                )
            }
        }
        let ordered = tensors.values.sorted { ($0.offset, $0.name) < ($1.offset, $1.name) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.offset < previous.offset + previous.byteCount {
            throw GGUFError(
                .overlap, file: cursor.file, tensor: next.name,
                "bytes \(next.offset)..<\(next.offset + next.byteCount) overlap tensor '\(previous.name)'"
                    + " at \(previous.offset)..<\(previous.offset + previous.byteCount)"
            )
        }
    }
}
