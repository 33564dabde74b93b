import Glibc

/// Small files read and probed with plain system calls: the hook's fast paths run before
/// anything else, and Foundation's file APIs cost more start-up than the work.
public enum SmallFile {
    public enum Kind: Sendable { case directory, file }

    /// What is at `path`, or nil when nothing.
    public static func kind(_ path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
    }

    /// The file's bytes (loose refs, objects and config files are small), or nil when it cannot
    /// be read.
    public static func bytes(_ path: String) -> [UInt8]? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }

    /// The first `limit` bytes of the file (all of it when shorter), or the `errno` that stopped
    /// the open or the read. `followLinks: false` refuses a symbolic link (ELOOP).
    public static func head(_ path: String, limit: Int, followLinks: Bool = true) -> Result<[UInt8], ReadFailure> {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else { return .failure(ReadFailure(errno: errno)) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < limit {
            let read = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if read < 0 { return .failure(ReadFailure(errno: errno)) }
            if read == 0 { break }
            count += read
        }
        return .success(Array(buffer[..<count]))
    }

    /// Why a file could not be read.
    public struct ReadFailure: Error, Sendable {
        public let errno: Int32
    }

    /// The file's text, or nil when it cannot be read.
    public static func text(_ path: String) -> String? {
        bytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The file's text, or nil when it cannot be read or is not valid UTF-8 (a reader that
    /// must give git's bytes back cannot work on replacement characters).
    public static func validText(_ path: String) -> String? {
        bytes(path).flatMap { String(validating: $0, as: UTF8.self) }
    }
}
