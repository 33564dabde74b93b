import CZlib
import Glibc

/// Answers the release rules' questions from the repository's files, without libgit2, where
/// that is simple: refs from `packed-refs` and loose ref files, objects only when they are loose
/// (as a tag just made is), ancestry only when the two commits are the same. Everything else
/// throws `.needsLibgit2`, and the caller asks `Repository` instead.
///
/// Why: libgit2's global initialisation parses the system's CA bundle at every start (~6 ms), more
/// than the whole check of a new tag at 100k tags.
public final class LooseRepositoryReader: RepositoryReading {
    /// With trailing slashes, as libgit2 gives them.
    public let commonDirectory: String

    public init(commonDirectory: String) {
        self.commonDirectory = commonDirectory.hasSuffix("/") ? commonDirectory : commonDirectory + "/"
    }

    static let needsLibgit2 = GitError(code: .needsLibgit2, message: "needs libgit2", function: "LooseRepositoryReader")

    public var isShallow: Bool { SmallFile.kind(commonDirectory + "shallow") != nil }

    public func target(ofReference name: String) throws(GitError) -> ObjectID? {
        guard name.hasPrefix("refs/") else { throw Self.needsLibgit2 }
        if let text = SmallFile.bytes(commonDirectory + name) {
            guard Repository.isLooseReference(text.prefix(41)), !text.starts(with: "ref:".utf8),
                  let id = ObjectID(hex: String(decoding: text.prefix(40), as: UTF8.self)) else {
                throw Self.needsLibgit2  // symbolic or odd: libgit2 knows
            }
            return id
        }
        return try Repository.packedValue(of: name, commonDirectory: commonDirectory)
    }

    public func kind(of id: ObjectID) throws(GitError) -> Repository.ObjectKind {
        try header(of: id).kind
    }

    public func peeledCommit(of id: ObjectID) throws(GitError) -> ObjectID? {
        let object = try header(of: id)
        switch object.kind {
        case .commit:
            return id
        case .tag:
            // `object <hex>\ntype <type>\n…`: a tag of a commit peels to it; anything deeper
            // (a tag of a tag) is libgit2's to follow.
            let text = String(decoding: object.body, as: UTF8.self)
            let lines = text.split(separator: "\n", maxSplits: 2)
            guard lines.count >= 2, lines[0].hasPrefix("object "), lines[1].hasPrefix("type "),
                  let target = ObjectID(hex: String(lines[0].dropFirst("object ".count)))
            else { throw Self.needsLibgit2 }
            switch lines[1].dropFirst("type ".count) {
            case "commit": return target
            case "tree", "blob": return nil
            default: throw Self.needsLibgit2
            }
        case .tree, .blob, .other:
            return nil
        }
    }

    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws(GitError) -> Bool {
        guard ancestor == commit else { throw Self.needsLibgit2 }
        return true
    }

    public func contains(_ id: ObjectID) throws(GitError) -> Bool {
        guard SmallFile.kind(path(of: id)) != nil else { throw Self.needsLibgit2 }
        return true
    }

    public func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        try Repository.forEachTagName(commonDirectory: commonDirectory, body)
    }

    public func forEachReferenceName(matching glob: String, _ body: (String) throws(GitError) -> Void) throws(GitError) {
        throw Self.needsLibgit2
    }

    public func fileContent(_ path: String, at commit: ObjectID) throws(GitError) -> [UInt8]? {
        throw Self.needsLibgit2
    }

    public func firstUnreadableCommit(from tip: ObjectID, excluding base: ObjectID?) throws(GitError) -> String? {
        throw Self.needsLibgit2
    }

    // MARK: Loose objects

    private func path(of id: ObjectID) -> String {
        let hex = id.hex
        return commonDirectory + "objects/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    /// The type and the first bytes of a loose object's body (enough for a tag's header lines).
    private func header(of id: ObjectID) throws(GitError) -> (kind: Repository.ObjectKind, body: ArraySlice<UInt8>) {
        guard let compressed = SmallFile.bytes(path(of: id)) else { throw Self.needsLibgit2 }
        guard let inflated = Self.inflatePrefix(compressed, limit: 512),
              let space = inflated.firstIndex(of: UInt8(ascii: " ")), let nul = inflated.firstIndex(of: 0), space < nul
        else { throw Self.needsLibgit2 }
        let kind: Repository.ObjectKind
        switch String(decoding: inflated[..<space], as: UTF8.self) {
        case "commit": kind = .commit
        case "tree": kind = .tree
        case "blob": kind = .blob
        case "tag": kind = .tag
        default: throw Self.needsLibgit2
        }
        return (kind, inflated[(nul + 1)...])
    }

    /// The first `limit` bytes that `compressed` inflates to (zlib), or nil if it is not zlib.
    static func inflatePrefix(_ compressed: [UInt8], limit: Int) -> [UInt8]? {
        var stream = z_stream()
        guard rg_inflate_init(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: limit)
        var input = compressed
        let produced: Int? = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = UInt32(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = UInt32(outputBuffer.count)
                let status = inflate(&stream, Z_SYNC_FLUSH)
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else { return nil }
                return outputBuffer.count - Int(stream.avail_out)
            }
        }
        guard let produced else { return nil }
        return Array(output.prefix(produced))
    }
}

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
