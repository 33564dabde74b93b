import Glibc

extension Repository {
    /// Calls `body` with the name of every tag (without `refs/tags/`) as bytes, read straight
    /// from `packed-refs` and the loose refs under `refs/tags/`.
    ///
    /// This is the hook's hot path at 100k tags: libgit2 1.5's reference iterator loads
    /// packed-refs into one allocated reference per line and copies each name; here the file is
    /// read once and names are handed out in place. A name both packed and loose may come twice.
    /// Only names are read, never values, so nothing depends on which copy is current.
    public func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        Self.forEachTagName(commonDirectory: commonDirectory, body)
    }

    /// The same, for a repository known by its common directory (with a trailing slash).
    static func forEachTagName(commonDirectory common: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withMappedFile(common + "packed-refs") { bytes in
            forEachPackedTagName(in: bytes, body)
        }
        forEachLooseName(directory: common + "refs/tags", prefix: [], body)
    }

    /// Lines of packed-refs are `<id> SP <name>`, `^<peeled id>`, or a `#` header.
    static func forEachPackedTagName(in bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let prefix = Array("refs/tags/".utf8)
        var lineStart = 0
        let count = bytes.count
        guard let base = bytes.baseAddress else { return }
        while lineStart < count {
            // A peeled line `^<40 hex>` has a fixed length: no need to look for its end.
            if bytes[lineStart] == UInt8(ascii: "^"), lineStart + 41 < count, bytes[lineStart + 41] == UInt8(ascii: "\n") {
                lineStart += 42
                continue
            }
            let newline = memchr(base + lineStart, Int32(UInt8(ascii: "\n")), count - lineStart)
            let lineEnd = newline.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? count
            // `<40 hex> refs/tags/<name>`
            let nameStart = lineStart + 41
            if bytes[lineStart] != UInt8(ascii: "^"), bytes[lineStart] != UInt8(ascii: "#"),
               nameStart + prefix.count < lineEnd, bytes[nameStart - 1] == UInt8(ascii: " ") {
                var matches = true
                for index in 0..<prefix.count where bytes[nameStart + index] != prefix[index] {
                    matches = false
                    break
                }
                if matches {
                    let start = nameStart + prefix.count
                    body(UnsafeBufferPointer(rebasing: bytes[start..<lineEnd]))
                }
            }
            lineStart = lineEnd + 1
        }
    }

    /// Walks a loose-refs directory; names are `prefix/entry` relative to `refs/tags/`.
    static func forEachLooseName(directory: String, prefix: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
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
                forEachLooseName(directory: path, prefix: fullName, body)
            } else if !nameBytes.starts(with: Array(".".utf8)), !endsWith(nameBytes, ".lock") {
                nameBytes = fullName
                nameBytes.withUnsafeBufferPointer { body($0) }
            }
        }
    }

    private static func endsWith(_ bytes: [UInt8], _ suffix: String) -> Bool {
        let suffix = Array(suffix.utf8)
        return bytes.count >= suffix.count && Array(bytes.suffix(suffix.count)) == suffix
    }

    /// Calls `body` with each line of `bytes` from `start`, without its newline, until it
    /// returns false.
    static func forEachLine(in bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        var lineStart = start
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            guard body(UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])) else { return }
            lineStart = lineEnd + 1
        }
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

extension Repository {
    /// The names of the tags that peel to one of `commits`, using the peeled values packed-refs
    /// records (one pass, no object read per tag); loose tags, which override packed ones, and
    /// packed-refs written without peeled values, are peeled through libgit2.
    public func tagNames(pointingAt commits: Set<ObjectID>) throws(GitError) -> [ObjectID: [String]] {
        var found: [ObjectID: [String]] = [:]
        guard !commits.isEmpty else { return found }
        var loose: [String] = []
        Self.forEachLooseName(directory: commonDirectory + "refs/tags", prefix: []) { loose.append(String(decoding: $0, as: UTF8.self)) }
        let looseNames = Set(loose)
        let wanted = Dictionary(uniqueKeysWithValues: commits.map { (Array($0.hex.utf8), $0) })
        var fullyPeeled = false
        Self.withMappedFile(commonDirectory + "packed-refs") { bytes in
            // `# pack-refs with: peeled fully-peeled sorted`: every tag's peeled value is there
            // (a `^` line after an annotated tag, none after a tag of a commit).
            let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let header = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
            fullyPeeled = header.hasPrefix("# pack-refs with:") && header.contains(" fully-peeled")
            guard fullyPeeled else { return }
            var pending: (name: String, value: [UInt8])?
            func settle(_ value: [UInt8]) {
                if let name = pending?.name, !looseNames.contains(name), let commit = wanted[value] { found[commit, default: []].append(name) }
                pending = nil
            }
            Self.forEachLine(in: bytes, from: end + 1) { line in
                if line.first == UInt8(ascii: "^"), line.count >= 41 {
                    settle(Array(line[1..<41]))
                } else if line.count > 51, line[40] == UInt8(ascii: " ") {
                    if let value = pending?.value { settle(value) }
                    let name = UnsafeBufferPointer(rebasing: line[41...])
                    if name.starts(with: "refs/tags/".utf8) {
                        pending = (String(decoding: UnsafeBufferPointer(rebasing: name.dropFirst(10)), as: UTF8.self), Array(line[0..<40]))
                    }
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
        Self.withMappedFile(commonDirectory + "packed-refs") { bytes in
            Self.forEachLine(in: bytes) { line in
                if line.count > 41 + prefixBytes.count, line[40] == UInt8(ascii: " "), line[41...].starts(with: prefixBytes),
                   let id = ObjectID(hex: String(decoding: UnsafeBufferPointer(rebasing: line[0..<40]), as: UTF8.self)) {
                    values[String(decoding: UnsafeBufferPointer(rebasing: line[41...]), as: UTF8.self)] = id
                }
                return true
            }
        }
        var loose: [String] = []
        Self.forEachLooseName(directory: commonDirectory + String(prefix.dropLast()), prefix: []) {
            loose.append(prefix + String(decoding: $0, as: UTF8.self))
        }
        for name in loose {
            if let id = try target(ofReference: name) { values[name] = id }
        }
        return values
    }
}

extension Repository {
    /// Whether packed-refs declares itself sorted by name (git writes `# pack-refs with: … sorted`),
    /// which lets a range of tag names be found by binary search.
    static func packedRefsAreSorted(commonDirectory: String) -> Bool {
        var sorted = false
        withMappedFile(commonDirectory + "packed-refs") { bytes in
            let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let header = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
            sorted = header.hasPrefix("# pack-refs with:") && header.split(separator: " ").contains("sorted")
        }
        return sorted
    }

    /// Calls `body` with the packed tag names (without `refs/tags/`) from `lower` (included) up
    /// to `upper` (excluded; nil: to the end of the tags), found by binary search in a sorted
    /// packed-refs. Loose refs are not included.
    static func forEachPackedTagName(commonDirectory: String, from lower: String, to upper: String?,
                                     _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let prefix = Array("refs/tags/".utf8)
        let low = prefix + Array(lower.utf8)
        let high = upper.map { prefix + Array($0.utf8) } ?? Array("refs/tags0".utf8)  // "0" follows "/"
        withMappedFile(commonDirectory + "packed-refs") { bytes in
            /// The name on the first ref line at or after `offset`, and where that line starts.
            func refLine(atOrAfter offset: Int) -> (start: Int, nameStart: Int, end: Int)? {
                var start = offset
                while start < bytes.count {
                    var end = start
                    while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                    if bytes[start] != UInt8(ascii: "^"), bytes[start] != UInt8(ascii: "#"), end - start > 41 {
                        return (start, start + 41, end)
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
            var lo = 0
            var hi = bytes.count
            while lo < hi {
                let mid = (lo + hi) / 2
                var lineStart = mid
                while lineStart > 0, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
                guard let line = refLine(atOrAfter: lineStart) else {
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
            while let line = refLine(atOrAfter: offset) {
                let full = name(line)
                guard full.lexicographicallyPrecedes(high) else { return }
                if full.starts(with: prefix) { body(UnsafeBufferPointer(rebasing: full[prefix.count...])) }
                offset = line.end + 1
            }
        }
    }
}
