import Foundation
import Hummingbird
import MultipartKit
import Store

/// A `multipart/form-data` file upload from a page, streamed into the content store as it arrives.
///
/// The form puts its text fields (the anti-forgery token first) before the file, as browsers send fields in document
/// order; the token is checked before a single byte of the file is kept.
struct MultipartUpload {
    /// The text fields and the stored file (nil when the form had no file, or an empty one).
    struct Result {
        let fields: [String: String]
        let fileName: String?
        let mediaType: String?
        let content: StoredContent?
    }

    static let maxFieldBytes = 8 * 1024
    /// What may come before the file's first byte (fields and part headers), and how many fields.
    static let maxBytesBeforeFile = 64 * 1024
    static let maxFields = 16

    /// Reads the request; `check` sees the text fields and the file's name before any file byte is kept, and throws to
    /// refuse the upload (a bad token, a bad path) so nothing is stored.
    static func read(
        _ request: Request, content: LocalContentStore, maxBytes: Int64, fileField: String,
        check: (_ fields: [String: String], _ fileName: String?) throws -> Void
    ) async throws -> Result {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
            let boundary = Self.boundary(type)
        else {
            throw Problem(
                status: .unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported form",
                detail: "A file upload is sent as multipart/form-data with a boundary.")
        }
        let parser = MultipartParser(boundary: boundary)
        let state = PartState(fileField: fileField)
        parser.onHeader = { name, value in state.header(name, value) }
        parser.onBody = { buffer in state.body(&buffer) }
        parser.onPartComplete = { state.complete() }
        let upload = try await content.beginUpload()
        var before = 0
        do {
            for try await buffer in request.body {
                if !state.checked {
                    // Until the file starts, everything is fields and headers, which are held in memory: bounded.
                    before += buffer.readableBytes
                    if before > Self.maxBytesBeforeFile + 64 * 1024 || state.fields.count > Self.maxFields {
                        throw Problem(
                            status: .contentTooLarge, type: "content-too-large", title: "Form too large",
                            detail: "The fields before the file are larger than this form accepts.")
                    }
                }
                do {
                    try parser.execute(buffer)
                } catch {
                    throw Problem(status: .badRequest, type: "bad-multipart", title: "Bad upload", detail: "The form data is not valid multipart.")
                }
                if let problem = state.problem { throw problem }
                if state.sawFile, !state.checked {
                    // The file has begun: the fields before it must have carried a valid token and a usable path.
                    try check(state.fields, state.fileName)
                    state.checked = true
                }
                if !state.pendingFile.isEmpty {
                    guard upload.size + Int64(state.pendingFile.count) <= maxBytes else {
                        throw Problem(
                            status: .contentTooLarge, type: "content-too-large", title: "File too large",
                            detail: "Files uploaded here may be at most \(maxBytes) bytes; use the API for larger ones.")
                    }
                    try await upload.write(state.pendingFile)
                    state.pendingFile.removeAll(keepingCapacity: true)
                }
            }
            if !state.checked { try check(state.fields, state.fileName) }
            guard state.sawFile, upload.size > 0 else {
                await upload.abort()
                return Result(fields: state.fields, fileName: state.fileName, mediaType: nil, content: nil)
            }
            let stored = try await upload.commit(expectedSHA256: nil)
            return Result(fields: state.fields, fileName: state.fileName, mediaType: state.fileType, content: stored)
        } catch {
            await upload.abort()
            throw error
        }
    }

    /// The boundary parameter of a multipart content type: 1 to 70 characters, as RFC 2046 allows.
    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0].lowercased() == "boundary" else { continue }
            let value =
                parts[1].hasPrefix("\"") && parts[1].hasSuffix("\"") && parts[1].count >= 2 ? String(parts[1].dropFirst().dropLast()) : parts[1]
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// The parser's callbacks fill this in; it lives and dies inside one request's task.
    private final class PartState {
        let fileField: String
        var fields: [String: String] = [:]
        var pendingFile: [UInt8] = []
        var checked = false
        var sawFile = false
        var fileName: String?
        var fileType: String?
        var problem: Problem?
        private var name: String?
        private var isFile = false
        private var text: [UInt8] = []
        private var type: String?

        init(fileField: String) { self.fileField = fileField }

        func header(_ name: String, _ value: String) {
            switch name.lowercased() {
            case "content-disposition":
                self.name = Self.parameter("name", in: value)
                let filename = Self.parameter("filename", in: value)
                self.isFile = filename != nil
                guard self.isFile else { break }
                // One file, from the form's file field: a second file part, or one under another name, is refused.
                if self.sawFile || self.name != self.fileField {
                    self.problem = Problem.invalid(field: self.name ?? "file", "is not the form's one file field")
                }
                self.sawFile = true
                self.fileName = filename
            case "content-type": self.type = value
            default: break
            }
        }

        func body(_ buffer: inout ByteBuffer) {
            if self.isFile {
                self.pendingFile += buffer.readableBytesView
            } else if self.text.count + buffer.readableBytes <= MultipartUpload.maxFieldBytes {
                self.text += buffer.readableBytesView
            } else {
                self.problem = Problem.invalid(field: self.name ?? "field", "is longer than \(MultipartUpload.maxFieldBytes) bytes")
            }
        }

        func complete() {
            if self.isFile {
                self.fileType = self.type
            } else if let name = self.name, self.fields[name] == nil {
                self.fields[name] = String(decoding: self.text, as: UTF8.self)
            }
            (self.name, self.isFile, self.text, self.type) = (nil, false, [], nil)
        }

        /// `name="x"` in a Content-Disposition value (quoted, as browsers send it).
        static func parameter(_ key: String, in value: String) -> String? {
            for part in value.split(separator: ";").dropFirst() {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == key else { continue }
                var text = pair[1]
                if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
                return text.replacingOccurrences(of: "\\\"", with: "\"")
            }
            return nil
        }
    }
}
