import Foundation

/// A single `Range: bytes=…` request (RFC 9110 §14.1.2), resolved against a representation's length.
enum ByteRange: Equatable {
    /// Serve everything (no header, or a form this server does not split, such as several ranges).
    case whole
    /// Serve these bytes with 206.
    case part(Range<Int64>)
    /// Nothing of the requested range exists: 416.
    case unsatisfiable

    init(header: String?, length: Int64) {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else {
            self = .whole
            return
        }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2 else {
            self = .whole
            return
        }
        switch (Int64(bounds[0]), Int64(bounds[1]), bounds[0].isEmpty, bounds[1].isEmpty) {
        case (let first?, nil, false, true):  // bytes=100-
            self = first < length ? .part(first..<length) : .unsatisfiable
        case (let first?, let last?, false, false) where first <= last:  // bytes=100-199
            self = first < length ? .part(first..<min(last + 1, length)) : .unsatisfiable
        case (nil, let suffix?, true, false):  // bytes=-500: the last 500 bytes
            self = suffix > 0 && length > 0 ? .part(max(0, length - suffix)..<length) : .unsatisfiable
        default:
            // A syntactically invalid range is ignored, as RFC 9110 says.
            self = .whole
        }
    }
}
