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

    /// Drops the pages wholly inside `range` from this process's resident set once their bytes
    /// have been copied out, so loading does not hold the file and its copy at the same time.
    func release(_ range: Range<Int>) {
        guard let base = bytes.baseAddress, range.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
