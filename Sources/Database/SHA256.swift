import COpenSSL
public import Foundation

/// SHA-256 from libcrypto, for migration checksums and content addressing.
public enum SHA256 {
    /// The raw 32-byte digest of `data`.
    public static func digest(of data: Data) -> Data {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "libcrypto failed to compute SHA-256")
        return Data(digest)
    }

    /// The lowercase hex digest of `data`.
    public static func hex(of data: Data) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        // EVP_Digest only fails when libcrypto cannot allocate; there is no meaningful digest to return then.
        precondition(ok == 1 && length == 32, "libcrypto failed to compute SHA-256")
        return digest.map { Hex.digits[Int($0)] }.joined()
    }
}

extension SHA256 {
    /// An incremental SHA-256, for content that arrives in pieces (streamed uploads).
    ///
    /// Not `Sendable`: it owns a libcrypto context that must be used from one place at a time.
    public final class Hasher {
        private let context: OpaquePointer

        /// Starts a new digest.
        public init() {
            // EVP_MD_CTX_new and EVP_DigestInit_ex only fail when libcrypto cannot allocate.
            guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
                preconditionFailure("libcrypto failed to start a SHA-256 digest")
            }
            self.context = context
        }

        deinit { EVP_MD_CTX_free(self.context) }

        /// Adds `bytes` to the digest.
        public func update(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            precondition(EVP_DigestUpdate(self.context, base, bytes.count) == 1, "libcrypto failed to update a SHA-256 digest")
        }

        /// The lowercase hex digest of everything added; the hasher must not be used afterwards.
        public func finalizeHex() -> String {
            var digest = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            precondition(EVP_DigestFinal_ex(self.context, &digest, &length) == 1 && length == 32, "libcrypto failed to finish a SHA-256 digest")
            return digest.map { Hex.digits[Int($0)] }.joined()
        }
    }
}
