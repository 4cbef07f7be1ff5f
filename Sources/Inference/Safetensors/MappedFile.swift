#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file.
///
/// `@unchecked Sendable` because the mapping is immutable after `init` and only freed in `deinit`,
/// when no other reference can exist.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws(SafetensorsError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SafetensorsError(.unreadableFile, file: path, "cannot open (errno \(errno))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SafetensorsError(.unreadableFile, file: path, "cannot stat (errno \(errno))") }
        let size = Int(info.st_size)
        guard size > 0 else {
            // mmap rejects empty lengths; an empty file is simply too short to be a checkpoint.
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SafetensorsError(.unreadableFile, file: path, "cannot map \(size) bytes (errno \(errno))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
