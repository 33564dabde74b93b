import Glibc

extension Repository {
    /// Calls `body` with the name of every tag (without `refs/tags/`) as bytes, read straight
    /// from `packed-refs` and the loose refs under `refs/tags/`.
    ///
    /// This is the hook's hot path at 100k tags: libgit2 1.5's reference iterator loads
    /// packed-refs into one allocated reference per line and copies each name; here the file is
    /// read once and names are handed out in place. A name both packed and loose may come twice.
    /// Only names are read, never values, so nothing depends on which copy is current. A
    /// packed-refs git refuses, or a symlink loop under `refs/tags`, throws `.corruptRefs`.
    public func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        try Self.forEachTagName(commonDirectory: commonDirectory, body)
    }

    /// The same, for a repository known by its common directory (with a trailing slash).
    static func forEachTagName(commonDirectory common: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        try PackedRefs.withFile(commonDirectory: common) { file throws(GitError) in
            try file.forEachRecord(from: file.firstRecord) { line, nameStart throws(GitError) in
                guard let nameStart else { return true }
                let name = UnsafeBufferPointer(rebasing: line[nameStart...])
                if name.starts(with: "refs/tags/".utf8) { body(UnsafeBufferPointer(rebasing: name[10...])) }
                return true
            }
        }
        try forEachLooseName(directory: common + "refs/tags", prefix: [], body)
    }

    /// Walks a loose-refs directory; names are `prefix/entry` relative to `refs/tags/`. A
    /// directory reached again below itself (a symlink loop: git 2.39's `git tag -l` never ends
    /// on one) throws instead of walking 2^depth paths.
    static func forEachLooseName(directory: String, prefix: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        var info = stat()
        guard stat(directory, &info) == 0 else { return }
        var ancestors = [(info.st_dev, info.st_ino)]
        try walkLooseNames(directory: directory, prefix: prefix, ancestors: &ancestors, body)
    }

    private static func walkLooseNames(directory: String, prefix: [UInt8], ancestors: inout [(dev_t, ino_t)],
                                       _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            var nameBytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if nameBytes == [UInt8(ascii: ".")] || nameBytes == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            let path = directory + "/" + String(decoding: nameBytes, as: UTF8.self)
            let fullName = prefix.isEmpty ? nameBytes : prefix + [UInt8(ascii: "/")] + nameBytes
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                if ancestors.contains(where: { $0.0 == info.st_dev && $0.1 == info.st_ino }) {
                    throw GitError(
                        code: .corruptRefs,
                        message: "\(path) leads back to a directory above it (a symlink loop under refs/), so its tags cannot be listed; git's own `git tag -l` never ends on it either. Remove the link: `rm '\(path)'`",
                        function: "readdir")
                }
                ancestors.append((info.st_dev, info.st_ino))
                try walkLooseNames(directory: path, prefix: fullName, ancestors: &ancestors, body)
                ancestors.removeLast()
            } else if !nameBytes.starts(with: Array(".".utf8)), !endsWith(nameBytes, ".lock"), holdsReference(path) {
                nameBytes = fullName
                nameBytes.withUnsafeBufferPointer { body($0) }
            }
        }
    }

    /// Whether a loose ref file holds a ref as git reads one (refs/files-backend.c): `ref:`
    /// (symbolic), or 40 hex digits followed by the end or whitespace. Anything else, an empty
    /// file included (a crash mid-write; libgit2's own fixtures keep an empty
    /// `refs/tags/dummy-marker.txt`), is a broken ref that `git for-each-ref` skips with a
    /// warning and libgit2's reference iterator skips too, so it is no tag here either.
    /// (git also hides a packed ref of the same name behind a broken loose one, libgit2 does
    /// not; this walk answers as libgit2 does, so both of this tool's paths still agree.)
    static func holdsReference(_ path: String) -> Bool {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 41)
        var count = 0
        while count < buffer.count {
            let read = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if read <= 0 { break }
            count += read
        }
        return isLooseReference(buffer[..<count])
    }

    /// The check of `holdsReference` on a loose ref file's first bytes (41 are enough).
    static func isLooseReference(_ bytes: ArraySlice<UInt8>) -> Bool {
        if bytes.starts(with: "ref:".utf8) { return true }
        guard bytes.count >= 40, bytes.prefix(40).withUnsafeBufferPointer({ PackedRefs.isHex($0) }) else { return false }
        guard bytes.count > 40 else { return true }
        // git's isspace: space, tab, LF, CR (not \v or \f, which libgit2 also takes).
        return [0x20, 0x09, 0x0A, 0x0D].contains(bytes[bytes.startIndex + 40])
    }

    private static func endsWith(_ bytes: [UInt8], _ suffix: String) -> Bool {
        let suffix = Array(suffix.utf8)
        return bytes.count >= suffix.count && Array(bytes.suffix(suffix.count)) == suffix
    }

    /// Maps the file read-only for `body` (nothing when it cannot be read: a missing
    /// packed-refs is normal). Mapping avoids copying 10 MB of packed-refs at 100k tags.
    static func withMappedFile(_ path: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0 else { return }
        let size = Int(info.st_size)
        // Pages are faulted in as they are touched: a binary search touches a few of 10 MB.
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else { return }
        defer { munmap(address, size) }
        body(UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size))
    }
}

/// `packed-refs` as git reads it (refs/packed-backend.c): an optional header line starting with
/// `# pack-refs with:`, then records `<40 hex> SP <name> LF`, each optionally followed by a peeled
/// line `^<40 hex> LF`; the file ends with LF. git stops with "unexpected line" or "unterminated
/// line" on anything else it reads, and so do these readers (`.corruptRefs`, exit 2) rather than
/// read a broken file as "no tags". Like git, only the lines a reader visits are checked (a
/// lookup by range reads a few lines of 10 MB), plus the header and the end of the file.
struct PackedRefs {
    let bytes: UnsafeBufferPointer<UInt8>
    let path: String
    /// Where the records start (after the header line, if any).
    let firstRecord: Int
    let traits: [Substring]

    /// Maps `<common>packed-refs`, checks its header and its end, and calls `body`; nothing when
    /// the file is missing or empty.
    static func withFile(commonDirectory: String, _ body: (PackedRefs) throws(GitError) -> Void) throws(GitError) {
        let path = commonDirectory + "packed-refs"
        var failure: GitError?
        Repository.withMappedFile(path) { bytes in
            do throws(GitError) {
                try body(try PackedRefs(bytes: bytes, path: path))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, path: String) throws(GitError) {
        self.bytes = bytes
        self.path = path
        guard bytes.last == UInt8(ascii: "\n") else {
            let start = (bytes.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
            throw Self.refused(path, "unterminated line", UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        if bytes.first == UInt8(ascii: "#") {
            let end = bytes.firstIndex(of: UInt8(ascii: "\n"))!
            let header = UnsafeBufferPointer(rebasing: bytes[0..<end])
            guard header.starts(with: "# pack-refs with:".utf8) else { throw Self.refused(path, "unexpected line", header) }
            traits = String(decoding: header, as: UTF8.self).split(separator: " ")
            firstRecord = end + 1
        } else {
            traits = []
            firstRecord = 0
        }
    }

    /// Calls `body` with each line from `start` (a record start), without its LF, and where the
    /// name starts on a ref line (nil on a peeled line), until it returns false. Each line is
    /// checked as git checks it.
    func forEachRecord(from start: Int, _ body: (UnsafeBufferPointer<UInt8>, Int?) throws(GitError) -> Bool) throws(GitError) {
        var lineStart = start
        var afterRef = false
        guard let base = bytes.baseAddress else { return }
        while lineStart < bytes.count {
            let newline = memchr(base + lineStart, Int32(UInt8(ascii: "\n")), bytes.count - lineStart)
            let lineEnd = newline.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? bytes.count
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            let nameStart = try check(line, afterRef: afterRef)
            afterRef = nameStart != nil
            guard try body(line, nameStart) else { return }
            lineStart = lineEnd + 1
        }
    }

    /// The name's offset in a ref line, nil for a peeled line; throws on a line git refuses. A
    /// peeled line is allowed only after a ref line (`afterRef`; nil: not known).
    func check(_ line: UnsafeBufferPointer<UInt8>, afterRef: Bool?) throws(GitError) -> Int? {
        // Plain loops over the bytes: this runs on every line of a 200k-line file for `ci`.
        guard let base = line.baseAddress else { throw Self.refused(path, "unexpected line", line) }
        if base[0] == UInt8(ascii: "^") {
            guard afterRef != false, line.count == 41, Self.isHex(base + 1, count: 40) else {
                throw Self.refused(path, "unexpected line", line)
            }
            return nil
        }
        // `<40 hex>`, one whitespace, a name without control characters (git flags such a
        // name as broken; here the file is refused as a whole).
        guard line.count > 41, Self.isHex(base, count: 40), base[40] == UInt8(ascii: " ") || base[40] == UInt8(ascii: "\t")
        else { throw Self.refused(path, "unexpected line", line) }
        var index = 41
        while index < line.count {
            let byte = base[index]
            if byte < 0x20 || byte == 0x7F { throw Self.refused(path, "unexpected line", line) }
            index += 1
        }
        return 41
    }

    @inline(__always)
    static func isHex(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        while index < count {
            let byte = bytes[index]
            let lower = byte | 0x20  // 'A'-'F' → 'a'-'f'
            guard (byte >= 48 && byte <= 57) || (lower >= 97 && lower <= 102) else { return false }
            index += 1
        }
        return true
    }

    static func isHex(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return isHex(base, count: bytes.count)
    }

    static func refused(_ path: String, _ what: String, _ line: UnsafeBufferPointer<UInt8>) -> GitError {
        let text = String(decoding: line.prefix(100), as: UTF8.self).unicodeScalars
            .map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return GitError(
            code: .corruptRefs,
            message: "\(path) is damaged (\(what): '\(text)'), so the tags cannot be read; git refuses it too (`git show-ref`: \"\(what) in \(path)\"). Repair or remove that line, or restore the file from a backup; a fresh `git clone` has a good copy",
            function: "packed-refs")
    }
}

extension Repository {
    /// The names of the tags that peel to one of `commits`, using the peeled values packed-refs
    /// records (one pass, no object read per tag); loose tags, which override packed ones, and
    /// packed-refs written without peeled values, are peeled through libgit2.
    public func tagNames(pointingAt commits: Set<ObjectID>) throws(GitError) -> [ObjectID: [String]] {
        var found: [ObjectID: [String]] = [:]
        guard !commits.isEmpty else { return found }
        var loose: [String] = []
        try Self.forEachLooseName(directory: commonDirectory + "refs/tags", prefix: []) { loose.append(String(decoding: $0, as: UTF8.self)) }
        let looseNames = Set(loose)
        let wanted = Dictionary(uniqueKeysWithValues: commits.map { (Array($0.hex.utf8), $0) })
        var fullyPeeled = false
        try PackedRefs.withFile(commonDirectory: commonDirectory) { file throws(GitError) in
            // `# pack-refs with: peeled fully-peeled sorted`: every tag's peeled value is there
            // (a `^` line after an annotated tag, none after a tag of a commit).
            fullyPeeled = file.traits.contains("fully-peeled")
            guard fullyPeeled else { return }
            var pending: (name: String, value: [UInt8])?
            func settle(_ value: [UInt8]) {
                if let name = pending?.name, !looseNames.contains(name), let commit = wanted[value] { found[commit, default: []].append(name) }
                pending = nil
            }
            try file.forEachRecord(from: file.firstRecord) { line, nameStart in
                guard let nameStart else {
                    settle(Array(line[1..<41]))
                    return true
                }
                if let value = pending?.value { settle(value) }
                let name = UnsafeBufferPointer(rebasing: line[nameStart...])
                if name.starts(with: "refs/tags/".utf8) {
                    pending = (String(decoding: UnsafeBufferPointer(rebasing: name.dropFirst(10)), as: UTF8.self), Array(line[0..<40]))
                }
                return true
            }
            if let value = pending?.value { settle(value) }
        }
        var rest = loose
        if !fullyPeeled {
            rest = []
            try forEachReferenceName(matching: "refs/tags/*") { rest.append(String($0.dropFirst("refs/tags/".count))) }
        }
        for name in rest {
            guard let commit = try peeledCommit(ofReference: "refs/tags/" + name), commits.contains(commit) else { continue }
            found[commit, default: []].append(name)
        }
        return found
    }
}

extension Repository {
    /// Every reference under `prefix` (`refs/tags/`, `refs/remotes/origin/`) with its value, read
    /// from packed-refs in one pass and the loose refs (which override packed ones).
    public func referenceValues(under prefix: String) throws(GitError) -> [String: ObjectID] {
        var values: [String: ObjectID] = [:]
        let prefixBytes = Array(prefix.utf8)
        try PackedRefs.withFile(commonDirectory: commonDirectory) { file throws(GitError) in
            try file.forEachRecord(from: file.firstRecord) { line, nameStart in
                if let nameStart, line[nameStart...].starts(with: prefixBytes),
                   let id = ObjectID(hex: String(decoding: UnsafeBufferPointer(rebasing: line[0..<40]), as: UTF8.self)) {
                    values[String(decoding: UnsafeBufferPointer(rebasing: line[nameStart...]), as: UTF8.self)] = id
                }
                return true
            }
        }
        var loose: [String] = []
        try Self.forEachLooseName(directory: commonDirectory + String(prefix.dropLast()), prefix: []) {
            loose.append(prefix + String(decoding: $0, as: UTF8.self))
        }
        for name in loose {
            if let id = try target(ofReference: name) { values[name] = id }
        }
        return values
    }

    /// The value of one ref in packed-refs (not the loose refs), or nil.
    static func packedValue(of name: String, commonDirectory: String) throws(GitError) -> ObjectID? {
        var found: ObjectID?
        let wanted = Array(name.utf8)
        try PackedRefs.withFile(commonDirectory: commonDirectory) { file throws(GitError) in
            try file.forEachRecord(from: file.firstRecord) { line, nameStart in
                guard let nameStart, line[nameStart...].elementsEqual(wanted) else { return true }
                found = ObjectID(hex: String(decoding: UnsafeBufferPointer(rebasing: line[0..<40]), as: UTF8.self))
                return false
            }
        }
        return found
    }
}

extension Repository {
    /// Whether packed-refs declares itself sorted by name (git writes `# pack-refs with: … sorted`),
    /// which lets a range of tag names be found by binary search.
    static func packedRefsAreSorted(commonDirectory: String) throws(GitError) -> Bool {
        var sorted = false
        try PackedRefs.withFile(commonDirectory: commonDirectory) { file in sorted = file.traits.contains("sorted") }
        return sorted
    }

    /// Calls `body` with the packed tag names (without `refs/tags/`) from `lower` (included) up
    /// to `upper` (excluded; nil: to the end of the tags), found by binary search in a sorted
    /// packed-refs. Loose refs are not included. Every line read is checked as git checks it.
    static func forEachPackedTagName(commonDirectory: String, from lower: String, to upper: String?,
                                     _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        let prefix = Array("refs/tags/".utf8)
        let low = prefix + Array(lower.utf8)
        let high = upper.map { prefix + Array($0.utf8) } ?? Array("refs/tags0".utf8)  // "0" follows "/"
        try PackedRefs.withFile(commonDirectory: commonDirectory) { file throws(GitError) in
            let bytes = file.bytes
            /// The name on the first ref line at or after `offset`, and where that line starts.
            func refLine(atOrAfter offset: Int) throws(GitError) -> (start: Int, nameStart: Int, end: Int)? {
                var start = max(offset, file.firstRecord)
                while start < bytes.count {
                    var end = start
                    while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                    if let nameStart = try file.check(UnsafeBufferPointer(rebasing: bytes[start..<end]), afterRef: nil) {
                        return (start, start + nameStart, end)
                    }
                    start = end + 1
                }
                return nil
            }
            func name(_ line: (start: Int, nameStart: Int, end: Int)) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: bytes[line.nameStart..<line.end])
            }
            // The first line whose name is >= low: binary search on byte offsets, each probe
            // moved to the start of the next ref line.
            var lo = file.firstRecord
            var hi = bytes.count
            while lo < hi {
                let mid = (lo + hi) / 2
                var lineStart = mid
                while lineStart > 0, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
                guard let line = try refLine(atOrAfter: lineStart) else {
                    hi = lineStart
                    continue
                }
                if name(line).lexicographicallyPrecedes(low) {
                    lo = line.end + 1
                } else {
                    hi = lineStart
                }
            }
            var offset = lo
            while let line = try refLine(atOrAfter: offset) {
                let full = name(line)
                guard full.lexicographicallyPrecedes(high) else { return }
                if full.starts(with: prefix) { body(UnsafeBufferPointer(rebasing: full[prefix.count...])) }
                offset = line.end + 1
            }
        }
    }
}
