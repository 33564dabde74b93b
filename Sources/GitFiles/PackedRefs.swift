import Glibc

/// `packed-refs` as git reads it (refs/packed-backend.c): an optional header line starting with
/// `# pack-refs with:`, then records `<40 hex> SP <name> LF`, each optionally followed by a peeled
/// line `^<40 hex> LF`; the file ends with LF. git stops with "unexpected line" or "unterminated
/// line" on anything else it reads, and so does this reader (`RefFilesError`, exit 2) rather than
/// read a broken file as "no tags". Like git, only the lines a reader visits are checked (a
/// lookup by range reads a few lines of 10 MB), plus the header and the end of the file.
///
/// The one parser of the file: records, names by binary search, peeled values.
public struct PackedRefs {
    public let path: String
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where the records start (after the header line, if any).
    let firstRecord: Int
    /// `sorted` in the header: records are in byte order of their names (git writes it), so a
    /// name or a range of names is found by binary search.
    public let isSorted: Bool
    /// `fully-peeled` in the header: every record of an annotated tag is followed by its peeled
    /// value, and a record without one peels to itself.
    public let isFullyPeeled: Bool

    /// One record, pointing into the mapped file (valid during the `read` call only).
    public struct Record {
        public let name: UnsafeBufferPointer<UInt8>
        /// 40 hex digits.
        public let value: UnsafeBufferPointer<UInt8>
        /// 40 hex digits, from the `^` line after the record, if any.
        public let peeled: UnsafeBufferPointer<UInt8>?
        /// The offset after the record and its peeled line.
        let end: Int

        public var id: ObjectID { ObjectID(hexBytes: value)! }
        public var peeledID: ObjectID? { peeled.flatMap { ObjectID(hexBytes: $0) } }
        public var nameString: String { String(decoding: name, as: UTF8.self) }
    }

    /// Maps `<common>packed-refs` read-only and calls `body` with it, or with nil when there is
    /// none (or it is empty). Mapping avoids copying 10 MB of packed-refs at 100k tags; pages
    /// are faulted in as they are touched, and a binary search touches a few.
    public static func read<T>(commonDirectory: String, _ body: (PackedRefs?) throws(RefFilesError) -> T) throws(RefFilesError) -> T {
        let path = commonDirectory + "packed-refs"
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            guard errno == ENOENT || errno == ENOTDIR else {
                throw RefFilesError(
                    "\(path) cannot be read (\(String(cString: strerror(errno)))), so the refs cannot be read; git cannot read it either. Make it readable by this user"
                )
            }
            return try body(nil)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0 else { return try body(nil) }
        let size = Int(info.st_size)
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw RefFilesError("\(path) cannot be mapped (\(String(cString: strerror(errno)))), so the refs cannot be read")
        }
        defer { munmap(address, size) }
        let bytes = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size)
        return try body(try PackedRefs(bytes: bytes, path: path))
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, path: String) throws(RefFilesError) {
        self.bytes = bytes
        self.path = path
        guard bytes.last == UInt8(ascii: "\n") else {
            let start = (bytes.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
            throw Self.refused(path, "unterminated line", UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        var traits: [Substring] = []
        if bytes.first == UInt8(ascii: "#") {
            let end = bytes.firstIndex(of: UInt8(ascii: "\n"))!
            let header = UnsafeBufferPointer(rebasing: bytes[0..<end])
            guard header.starts(with: "# pack-refs with:".utf8) else { throw Self.refused(path, "unexpected line", header) }
            traits = String(decoding: header, as: UTF8.self).split(separator: " ")
            firstRecord = end + 1
        } else {
            firstRecord = 0
        }
        isSorted = traits.contains("sorted")
        isFullyPeeled = traits.contains("fully-peeled")
        // git checks the last record before any read (`verify_buffer_safe`): with its peeled
        // line, at least a value, a space and a one-byte name.
        if firstRecord < bytes.count {
            var start = bytes.count - 1
            while start > firstRecord, bytes[start - 1] != UInt8(ascii: "\n") || bytes[start] == UInt8(ascii: "^") { start -= 1 }
            guard bytes.count - start >= 42 else {
                throw Self.refused(path, "unexpected line", UnsafeBufferPointer(rebasing: bytes[start..<(bytes.count - 1)]))
            }
        }
    }

    // MARK: Reading

    /// Calls `body` with each record from the start of the file, or from `offset` (a line start
    /// found by `lowerBound`), until it returns false.
    public func forEachRecord(_ body: (Record) throws(RefFilesError) -> Bool) throws(RefFilesError) {
        try forEachRecord(from: firstRecord, midFile: false, body)
    }

    /// The records whose names are in `lower ..< upper` (upper nil: to the end), found by binary
    /// search; only for a sorted file.
    public func forEachRecord(
        namesFrom lower: [UInt8], below upper: [UInt8]?, _ body: (Record) throws(RefFilesError) -> Void
    ) throws(RefFilesError) {
        precondition(isSorted, "a range needs a sorted packed-refs")
        try forEachRecord(from: try lowerBound(lower), midFile: true) { record throws(RefFilesError) in
            if let upper, !record.name.lexicographicallyPrecedes(upper) { return false }
            try body(record)
            return true
        }
    }

    /// The record of `name`, by binary search when the file is sorted, else by a scan.
    public func record(named name: [UInt8]) throws(RefFilesError) -> Record? {
        var found: Record?
        if isSorted {
            try forEachRecord(from: try lowerBound(name), midFile: true) { record in
                if record.name.elementsEqual(name) { found = record }
                return false
            }
        } else {
            // git sorts an unsorted file before its first lookup (`sort_snapshot`), dying on a
            // line too short to be a record: so does a lookup here, which then scans.
            try checkLinesAsGitSorts()
            try forEachRecord { record in
                guard record.name.elementsEqual(name) else { return true }
                found = record
                return false
            }
        }
        return found
    }

    /// Looks names up one after another, for many names at once (a remote's advertisement
    /// against this repository), without copying one: names asked in ascending order, as git
    /// sorts both a remote's advertisement and this file, are found by walking on from the last
    /// record passed; a name out of that order by a binary search. Only for a sorted file.
    public struct Cursor {
        let file: PackedRefs
        /// The next record (or a peeled line before it).
        var offset: Int
        /// The name of the record before `offset`; nil at the first record.
        var previous: UnsafeBufferPointer<UInt8>?

        /// The record of `name`, if any.
        public mutating func record(named name: UnsafeBufferPointer<UInt8>) throws(RefFilesError) -> Record? {
            if let previous, Bytes.compare(previous, name) >= 0 {
                offset = try file.lowerBound(Array(name))
                self.previous = file.recordName(before: offset)
            }
            while let record = try file.record(at: offset) {
                let order = Bytes.compare(record.name, name)
                guard order < 0 else { return order == 0 ? record : nil }
                (previous, offset) = (record.name, record.end)
            }
            return nil
        }
    }

    /// A cursor at the first record; only for a sorted file.
    public func cursor() -> Cursor {
        precondition(isSorted, "a cursor needs a sorted packed-refs")
        return Cursor(file: self, offset: firstRecord, previous: nil)
    }

    /// The record at `offset` (a record line, or a peeled line before one, as `lowerBound`
    /// returns), nil at the end of the file.
    private func record(at offset: Int) throws(RefFilesError) -> Record? {
        var found: Record?
        try forEachRecord(from: offset, midFile: true) { record in
            found = record
            return false
        }
        return found
    }

    /// The name of the record whose line (and peeled line) ends at `offset`, a record's start;
    /// nil at the first record.
    private func recordName(before offset: Int) -> UnsafeBufferPointer<UInt8>? {
        guard offset > firstRecord else { return nil }
        var start = offset - 1
        while true {
            // The line that ends at `start` (its LF): back to the LF before it.
            var lineStart = start
            while lineStart > firstRecord, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
            if bytes[lineStart] == UInt8(ascii: "^") {
                guard lineStart > firstRecord else { return nil }
                start = lineStart - 1
                continue
            }
            // Checked as a record line when it was passed or searched.
            guard start - lineStart > 41 else { return nil }
            return UnsafeBufferPointer(rebasing: bytes[(lineStart + 41)..<start])
        }
    }

    private func forEachRecord(from start: Int, midFile: Bool, _ body: (Record) throws(RefFilesError) -> Bool) throws(RefFilesError) {
        var offset = start
        var first = true
        while offset < bytes.count {
            let (line, next) = self.line(at: offset)
            if line.first == UInt8(ascii: "^") {
                // A peeled line belongs after a record; only a search that starts in the middle
                // of the file may land on one.
                guard midFile, first else { throw Self.refused(path, "unexpected line", line) }
                try checkPeeled(line)
                (offset, first) = (next, false)
                continue
            }
            first = false
            try checkRecord(line)
            var peeled: UnsafeBufferPointer<UInt8>?
            var end = next
            if next < bytes.count, bytes[next] == UInt8(ascii: "^") {
                let (peeledLine, afterPeeled) = self.line(at: next)
                try checkPeeled(peeledLine)
                peeled = UnsafeBufferPointer(rebasing: peeledLine[1...])
                end = afterPeeled
            }
            let record = Record(
                name: UnsafeBufferPointer(rebasing: line[41...]), value: UnsafeBufferPointer(rebasing: line[0..<40]),
                peeled: peeled, end: end)
            guard try body(record) else { return }
            offset = end
        }
    }

    /// What git's sort of an unsorted file checks: each record line (a peeled line right after
    /// one goes with it) has at least a value, a space and a one-byte name.
    private func checkLinesAsGitSorts() throws(RefFilesError) {
        var offset = firstRecord
        var afterRecord = false
        while offset < bytes.count {
            let (line, next) = self.line(at: offset)
            if afterRecord, line.first == UInt8(ascii: "^") {
                (offset, afterRecord) = (next, false)
                continue
            }
            guard line.count >= 42 else { throw Self.refused(path, "unexpected line", line) }
            (offset, afterRecord) = (next, true)
        }
    }

    /// The offset of the first record whose name is not below `name`: a binary search on byte
    /// offsets, each probe moved to the start of the next record.
    private func lowerBound(_ name: [UInt8]) throws(RefFilesError) -> Int {
        var low = firstRecord
        var high = bytes.count
        while low < high {
            var lineStart = (low + high) / 2
            while lineStart > firstRecord, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
            // The first record line at or after the probe.
            var probe = lineStart
            var record: (line: UnsafeBufferPointer<UInt8>, next: Int)?
            while probe < bytes.count {
                let (line, next) = self.line(at: probe)
                if line.first == UInt8(ascii: "^") {
                    try checkPeeled(line)
                    probe = next
                    continue
                }
                try checkRecord(line)
                record = (line, next)
                break
            }
            guard let record else {
                high = lineStart
                continue
            }
            if UnsafeBufferPointer(rebasing: record.line[41...]).lexicographicallyPrecedes(name) {
                low = record.next
            } else {
                high = lineStart
            }
        }
        return low
    }

    /// The line at `offset` without its LF, and the offset of the next line.
    @inline(__always)
    private func line(at offset: Int) -> (UnsafeBufferPointer<UInt8>, Int) {
        let base = bytes.baseAddress!
        let newline = memchr(base + offset, Int32(UInt8(ascii: "\n")), bytes.count - offset)
        let end = newline.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? bytes.count
        return (UnsafeBufferPointer(rebasing: bytes[offset..<end]), end + 1)
    }

    // MARK: Checks, as git makes them

    /// `<40 hex>`, one space or tab, a name without control characters (git flags such a name
    /// as broken; here the file is refused as a whole). Plain loops: this runs on every line of
    /// a 200k-line file for `ci`.
    private func checkRecord(_ line: UnsafeBufferPointer<UInt8>) throws(RefFilesError) {
        guard line.count > 41, let base = line.baseAddress, Self.isHex(base, count: 40),
            base[40] == UInt8(ascii: " ") || base[40] == UInt8(ascii: "\t")
        else { throw Self.refused(path, "unexpected line", line) }
        if Self.hasControlByte(base + 41, count: line.count - 41) { throw Self.refused(path, "unexpected line", line) }
    }

    /// Whether one of the bytes is a control character or DEL, eight at a time (`ci` reads every
    /// name of 100k tags): a word has a byte below 0x20 when `(w - 0x20…) & ~w & 0x80…` is not
    /// zero, and a DEL when `w ^ 0x7F…` has a zero byte (bytes of UTF-8 above 0x7F never count).
    @inline(__always)
    static func hasControlByte(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
        let raw = UnsafeRawPointer(bytes)
        var index = 0
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let below = (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080
            let flipped = word ^ 0x7F7F_7F7F_7F7F_7F7F
            let delete = (flipped &- 0x0101_0101_0101_0101) & ~flipped & 0x8080_8080_8080_8080
            if below | delete != 0 { return true }
            index += 8
        }
        while index < count {
            if bytes[index] < 0x20 || bytes[index] == 0x7F { return true }
            index += 1
        }
        return false
    }

    private func checkPeeled(_ line: UnsafeBufferPointer<UInt8>) throws(RefFilesError) {
        guard line.count == 41, let base = line.baseAddress, Self.isHex(base + 1, count: 40) else {
            throw Self.refused(path, "unexpected line", line)
        }
    }

    /// Whether the bytes are all hexadecimal digits (either case), eight at a time: every line
    /// of a 200k-line packed-refs starts with 40 of them. Per byte (all below 0x80, so no sum
    /// carries into the next byte): a digit is at least '0' and below ':', a letter, lowercased,
    /// at least 'a' and below 'g'; adding 0x80 - c sets a byte's high bit exactly when it is >= c.
    @inline(__always)
    static func isHex(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
        let raw = UnsafeRawPointer(bytes)
        let high: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            guard word & high == 0 else { return false }
            let lower = word | 0x2020_2020_2020_2020
            let digit = (word &+ 0x5050_5050_5050_5050) & ~(word &+ 0x4646_4646_4646_4646)
            let letter = (lower &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(lower &+ 0x1919_1919_1919_1919)
            guard (digit | letter) & high == high else { return false }
            index += 8
        }
        while index < count {
            let byte = bytes[index]
            let lower = byte | 0x20  // 'A'-'F' → 'a'-'f'
            guard (byte >= 48 && byte <= 57) || (lower >= 97 && lower <= 102) else { return false }
            index += 1
        }
        return true
    }

    static func refused(_ path: String, _ what: String, _ line: UnsafeBufferPointer<UInt8>) -> RefFilesError {
        let text = String(decoding: line.prefix(100), as: UTF8.self).unicodeScalars
            .map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return RefFilesError(
            "\(path) is damaged (\(what): '\(text)'), so the tags cannot be read; git refuses it too (`git show-ref`: \"\(what) in \(path)\"). Repair or remove that line, or restore the file from a backup; a fresh `git clone` has a good copy"
        )
    }
}
