import Glibc

/// Loose ref files under `refs/`, read as git reads them (refs/files-backend.c).
public enum LooseRefs {
    /// What a loose ref file says.
    public enum Value: Equatable, Sendable {
        /// No loose file: the packed value, if any, is the ref's.
        case absent
        case id(ObjectID)
        /// Symbolic (`ref: …`), unreadable, or not a ref: libgit2 knows what git makes of it.
        case unknown
    }

    public static func value(of name: String, commonDirectory: String) -> Value {
        let path = commonDirectory + name
        // A symbolic link under refs/ is a symbolic ref to git (its text names the target ref).
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK { return .unknown }
        let head: ArraySlice<UInt8>
        switch SmallFile.head(path, limit: 42, followLinks: false) {
        case .success(let bytes): head = bytes[...]
        // No file (or a directory of refs by that name): the packed value, if any, is the ref's.
        case .failure(let failure): return [ENOENT, ENOTDIR, EISDIR].contains(failure.errno) ? .absent : .unknown
        }
        guard !head.starts(with: "ref:".utf8), isReference(head),
            let id = head.prefix(40).withUnsafeBufferPointer({ ObjectID(hexBytes: $0) })
        else { return .unknown }
        return .id(id)
    }

    /// Calls `body` with the name of each loose ref under `directory` (`<common>refs/tags`),
    /// relative to it, as bytes, as `git for-each-ref` lists them: a valid name (`git
    /// check-ref-format`), holding 40 hex digits, or a symbolic ref whose target `resolves`
    /// (followed as git follows it). A file git reads as a broken ref (garbage, an empty file, a
    /// crash mid-write, a symbolic ref to nothing) is no ref, and it hides a packed ref of the
    /// same name as it does in git: its name goes to `hidden`. (libgit2's iterator lists a
    /// dangling symbolic ref, and the packed ref behind a broken file; git does neither.)
    ///
    /// A directory reached again below itself (a symlink loop: git 2.39's `git tag -l` never
    /// ends on one) throws instead of walking 2^depth paths.
    public static func forEachName(
        under directory: String, resolves: (String) throws(RefFilesError) -> Bool,
        hidden: (UnsafeBufferPointer<UInt8>) -> Void = { _ in },
        _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) throws(RefFilesError) {
        var info = stat()
        guard stat(directory, &info) == 0 else { return }
        var ancestors = [(info.st_dev, info.st_ino)]
        try walk(directory: directory, prefix: [], ancestors: &ancestors) { name, path throws(RefFilesError) in
            // Checked as a name under refs/: the rules are those of each component.
            let valid = (Array("refs/".utf8) + name).withUnsafeBufferPointer { RefNameFormat.isValid(bytes: $0) }
            switch content(path) {
            case .id where valid: name.withUnsafeBufferPointer { body($0) }
            case .symbolic(let target) where valid:
                if try resolves(target) { name.withUnsafeBufferPointer { body($0) } } else { name.withUnsafeBufferPointer { hidden($0) } }
            case .broken: name.withUnsafeBufferPointer { hidden($0) }
            default: break
            }
        }
    }

    private static func walk(
        directory: String, prefix: [UInt8], ancestors: inout [(dev_t, ino_t)],
        _ visit: ([UInt8], String) throws(RefFilesError) -> Void
    ) throws(RefFilesError) {
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let nameBytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if nameBytes == [UInt8(ascii: ".")] || nameBytes == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            let path = directory + "/" + String(decoding: nameBytes, as: UTF8.self)
            let fullName = prefix.isEmpty ? nameBytes : prefix + [UInt8(ascii: "/")] + nameBytes
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                if ancestors.contains(where: { $0 == (info.st_dev, info.st_ino) }) {
                    throw RefFilesError(
                        "\(path) leads back to a directory above it (a symlink loop under refs/), so its tags cannot be listed; git's own `git tag -l` never ends on it either. Remove the link: `rm '\(path)'`"
                    )
                }
                ancestors.append((info.st_dev, info.st_ino))
                try walk(directory: path, prefix: fullName, ancestors: &ancestors, visit)
                ancestors.removeLast()
            } else if nameBytes.first != UInt8(ascii: "."), !nameBytes.reversed().starts(with: "kcol.".utf8) {
                try visit(fullName, path)
            }
        }
    }

    /// What a loose ref file holds, as git reads it.
    enum Content: Equatable {
        /// 40 hex digits followed by the end or whitespace.
        case id
        /// `ref:`, then the target's name (spaces around it dropped).
        case symbolic(String)
        /// Anything else, an empty file included (a crash mid-write; libgit2's own fixtures keep
        /// an empty `refs/tags/dummy-marker.txt`): a broken ref `git for-each-ref` skips with a
        /// warning, as libgit2's reference iterator does.
        case broken
    }

    /// What the file at `path` holds (a file that cannot be read is broken to git too).
    static func content(_ path: String) -> Content {
        // A ref name is at most a few hundred bytes; git reads the whole file, a longer one is
        // no ref it would write.
        guard case .success(let bytes) = SmallFile.head(path, limit: 1024) else { return .broken }
        let head = bytes[...]
        guard head.starts(with: "ref:".utf8) else { return isReference(head) ? .id : .broken }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }
        let target = head.dropFirst(4).drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        return .symbolic(String(decoding: target, as: UTF8.self))
    }

    /// 40 hex digits followed by the end or git's whitespace (space, tab, LF, CR; not \v or \f,
    /// which libgit2 also takes).
    static func isReference(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 40, bytes.prefix(40).withUnsafeBufferPointer({ PackedRefs.isHex($0.baseAddress!, count: 40) }) else {
            return false
        }
        guard bytes.count > 40 else { return true }
        return [0x20, 0x09, 0x0A, 0x0D].contains(bytes[bytes.startIndex + 40])
    }
}
