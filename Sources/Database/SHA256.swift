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
