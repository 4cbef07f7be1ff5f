import Foundation

/// Unicode normal forms, lowercasing and accent stripping as single normalizer stages.
struct UnicodeNormalizer: Normalizer {
    enum Form: Sendable { case nfc, nfd, nfkc, nfkd, lowercase, stripAccents }
    let form: Form

    func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch form {
        case .nfc: Self.scalars(Self.string(text).precomposedStringWithCanonicalMapping)
        case .nfd: Self.scalars(Self.string(text).decomposedStringWithCanonicalMapping)
        case .nfkc: Self.scalars(Self.string(text).precomposedStringWithCompatibilityMapping)
        case .nfkd: Self.scalars(Self.string(text).decomposedStringWithCompatibilityMapping)
        case .lowercase: Self.lowercased(text)
        case .stripAccents: text.filter { $0.properties.generalCategory != .nonspacingMark }
        }
    }

    static func string(_ scalars: [Unicode.Scalar]) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
    }

    static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

    /// Per-scalar full lowercase mapping, without the context rules (final sigma) that
    /// `String.lowercased()` may apply, as Rust's `char::to_lowercase` does.
    static func lowercased(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for scalar in text {
            if scalar.isASCII {
                out.append(scalar.value >= 65 && scalar.value <= 90 ? Unicode.Scalar(UInt8(scalar.value + 32)) : scalar)
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return out
    }
}
