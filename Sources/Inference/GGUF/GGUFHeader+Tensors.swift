extension GGUFHeader {
    /// Reads the tensor infos, checking each on its own; placement in the file is checked once the
    /// data section's start is known.
    static func readTensorInfos(_ count: Int, alignment: Int, _ cursor: inout GGUFCursor) throws(GGUFError) -> [String: GGUFTensorInfo] {
        // Counts were checked against the bytes after the header; re-check now that metadata is read.
        guard count <= cursor.remaining / minimumTensorInfoSize else {
            throw cursor.error(.truncated, "\(count) tensor infos cannot fit in the \(cursor.remaining) bytes after the metadata")
        }
        var tensors: [String: GGUFTensorInfo] = [:]
        tensors.reserveCapacity(GGUFCursor.reservation(count))
        for index in 0..<count {
            let info = try readTensorInfo(index, alignment: alignment, &cursor)
            guard tensors[info.name] == nil else {
                throw cursor.error(.invalidTensorInfo, "tensor name appears twice (again as tensor \(index))")
            }
            tensors[info.name] = info
            cursor.tensor = nil
        }
        return tensors
    }

    private static func readTensorInfo(_ index: Int, alignment: Int, _ cursor: inout GGUFCursor) throws(GGUFError) -> GGUFTensorInfo {
        let start = cursor.offset
        let name = try cursor.string("name of tensor \(index)", invalid: .invalidTensorInfo)
        guard !name.isEmpty else { throw cursor.error(.invalidTensorInfo, "name of tensor \(index) at byte \(start) is empty") }
        cursor.tensor = name
        let dimensionCount = try cursor.read(UInt32.self, "n_dims")
        guard dimensionCount <= maximumDimensions else {
            throw cursor.error(.invalidTensorInfo, "n_dims is \(dimensionCount), more than ggml's \(maximumDimensions)")
        }
        var dimensions: [Int] = []
        var elementCount = 1
        for _ in 0..<Int(dimensionCount) {
            let raw = try cursor.read(UInt64.self, "dimension")
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: Int(truncatingIfNeeded: raw))
            guard raw > 0, raw <= UInt64(Int.max), !overflow else {
                throw cursor.error(.invalidTensorInfo, "dimensions \(dimensions + [Int(truncatingIfNeeded: raw)]) are zero or overflow")
            }
            dimensions.append(Int(raw))
            elementCount = product
        }
        let typeID = try cursor.read(UInt32.self, "type")
        guard let type = GGMLType(rawValue: typeID) else {
            throw cursor.error(.unknownType, "ggml type id \(typeID) is not known, so its size cannot be checked")
        }
        let rowLength = dimensions.first ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw cursor.error(.invalidTensorInfo, "row length ne[0] = \(rowLength) is not a multiple of \(type)'s block size \(type.blockSize)")
        }
        // Blocks × bytes per block (exact, as ne[0] is a multiple of the block size). Plain types have up
        // to 8 bytes per element, so a valid element count can still overflow here.
        let (byteCount, overflow) = (elementCount / type.blockSize).multipliedReportingOverflow(by: type.blockByteCount)
        guard !overflow else {
            throw cursor.error(.invalidTensorInfo, "\(elementCount) elements of \(type) overflow a byte count")
        }
        let offsetStart = cursor.offset
        let rawOffset = try cursor.read(UInt64.self, "offset")
        guard rawOffset <= UInt64(Int.max) else {
            throw cursor.error(.outOfRange, "offset \(rawOffset) at byte \(offsetStart) is beyond any file")
        }
        guard Int(rawOffset) % alignment == 0 else {
            throw cursor.error(.misaligned, "offset \(rawOffset) is not a multiple of the alignment \(alignment)")
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: Int(rawOffset), byteCount: byteCount)
    }
}
