/// Answers questions about a repository from its files alone, without libgit2, where that is
/// simple and certain: refs from loose files and `packed-refs`, objects only when they are loose
/// (as a tag just made is), ancestry only when the two commits are the same. Everything else is
/// `.unknown`, and the caller asks libgit2 that one question.
///
/// Why: libgit2's global initialisation parses the system's CA bundle at every start (~6 ms),
/// more than the whole check of a new tag at 100k tags.
public final class RepositoryFiles {
    public let layout: RepositoryLayout
    /// The loose tag names, sorted, and those of loose files that hide a packed tag, read on the
    /// first range asked.
    private var looseTagNames: (names: [[UInt8]], hidden: Set<[UInt8]>)?

    public init(layout: RepositoryLayout) {
        self.layout = layout
    }

    public var commonDirectory: String { layout.commonDirectory }

    public var isShallow: Bool { SmallFile.kind(layout.commonDirectory + "shallow") != nil }

    // MARK: Refs

    /// The value of a ref under `refs/` shared by all worktrees (symbolic refs are libgit2's).
    public func target(ofReference name: String) throws(RefFilesError) -> Answer<ObjectID?> {
        guard Self.isSharedRef(name) else { return .unknown }
        switch LooseRefs.value(of: name, commonDirectory: commonDirectory) {
        case .id(let id): return .known(id)
        case .unknown: return .unknown
        case .absent:
            let wanted = Array(name.utf8)
            return .known(
                try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) in
                    try file?.record(named: wanted)?.id
                })
        }
    }

    /// Calls `body` with every tag name (without `refs/tags/`) `git for-each-ref` lists: the
    /// loose refs, then packed-refs. A name both packed and loose may come twice.
    public func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(RefFilesError) {
        let prefix = Array("refs/tags/".utf8)
        var hidden: Set<[UInt8]> = []
        try LooseRefs.forEachName(under: commonDirectory + "refs/tags", resolves: resolves, hidden: { hidden.insert(Array($0)) }, body)
        try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) in
            try file?.forEachRecord { record in
                if Bytes.hasPrefix(record.name, "refs/tags/"), Self.isListed(record.name, hidden: hidden, prefix: prefix.count) {
                    body(UnsafeBufferPointer(rebasing: record.name[prefix.count...]))
                }
                return true
            }
        }
    }

    /// The tag names from `lower` (included) to `upper` (excluded; nil: to the end), packed (by
    /// binary search) and loose; unknown when packed-refs is not sorted.
    public func forEachTagName(
        from lower: String, to upper: String?, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) throws(RefFilesError) -> Answer<Void> {
        let prefix = Array("refs/tags/".utf8)
        let low = prefix + Array(lower.utf8)
        let high = upper.map { prefix + Array($0.utf8) } ?? Array("refs/tags0".utf8)  // "0" follows "/"
        // The loose names once, sorted: a push asks for several ranges.
        if looseTagNames == nil {
            var names: [[UInt8]] = []
            var hidden: Set<[UInt8]> = []
            try LooseRefs.forEachName(under: commonDirectory + "refs/tags", resolves: resolves, hidden: { hidden.insert(Array($0)) }) {
                names.append(Array($0))
            }
            looseTagNames = (names.sorted { $0.lexicographicallyPrecedes($1) }, hidden)
        }
        let (looseNames, hidden) = looseTagNames!
        let sorted = try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) -> Bool in
            guard let file else { return true }
            guard file.isSorted else { return false }
            try file.forEachRecord(namesFrom: low, below: high) { record in
                if Self.isListed(record.name, hidden: hidden, prefix: prefix.count) {
                    body(UnsafeBufferPointer(rebasing: record.name[prefix.count...]))
                }
            }
            return true
        }
        guard sorted else { return .unknown }
        let (lowName, highName) = (Array(lower.utf8), upper.map { Array($0.utf8) })
        for name in looseNames where !name.lexicographicallyPrecedes(lowName) {
            guard highName.map({ name.lexicographicallyPrecedes($0) }) ?? true else { break }
            name.withUnsafeBufferPointer { body($0) }
        }
        return .known(())
    }

    /// The names of the refs matching `glob`, where `*` matches any run of characters (`/`
    /// included, as libgit2's reference globs do), as `git for-each-ref` lists refs; unknown for
    /// a glob with `?`, `[` or `\`.
    public func referenceNames(matching glob: String) throws(RefFilesError) -> Answer<[String]> {
        guard !glob.contains(where: { $0 == "?" || $0 == "[" || $0 == "\\" }), glob.hasPrefix("refs/") else { return .unknown }
        // Loose refs live under the fixed part of the glob.
        let fixed = glob.prefix { $0 != "*" }
        let directory = fixed.lastIndex(of: "/").map { String(fixed[...$0]) } ?? "refs/"
        var names: Set<String> = []
        var hidden: Set<[UInt8]> = []
        try LooseRefs.forEachName(
            under: commonDirectory + String(directory.dropLast()), resolves: resolves,
            hidden: { hidden.insert(Array(directory.utf8) + $0) }
        ) { relative in
            let name = directory + String(decoding: relative, as: UTF8.self)
            if Self.matches(glob, name) { names.insert(name) }
        }
        try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) in
            try file?.forEachRecord { record in
                let name = record.nameString
                if Self.matches(glob, name), Self.isListed(record.name, hidden: hidden, prefix: 0) { names.insert(name) }
                return true
            }
        }
        return .known(names.sorted())
    }

    /// The loose names under `prefix` (`refs/tags/`), full, as `git for-each-ref` lists them.
    public func looseReferenceNames(under prefix: String) throws(RefFilesError) -> [String] {
        var names: [String] = []
        try LooseRefs.forEachName(under: commonDirectory + String(prefix.dropLast()), resolves: resolves) {
            names.append(prefix + String(decoding: $0, as: UTF8.self))
        }
        return names
    }

    /// Whether a symbolic ref's target resolves to a value, as git requires of a ref it lists:
    /// a loose or packed ref, through at most five symbolic refs (git's limit). A target outside
    /// the shared refs (HEAD, a per-worktree ref) these readers cannot follow: such a ref is
    /// listed, as libgit2 lists it.
    func resolves(_ target: String) throws(RefFilesError) -> Bool {
        var name = target
        for _ in 0..<5 {
            guard RefNameFormat.isValid(name) else { return false }
            guard Self.isSharedRef(name) else { return true }
            switch LooseRefs.value(of: name, commonDirectory: commonDirectory) {
            case .id: return true
            case .absent:
                let wanted = Array(name.utf8)
                return try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) in
                    try file?.record(named: wanted) != nil
                }
            case .unknown:
                guard case .symbolic(let next) = LooseRefs.content(commonDirectory + name) else { return false }
                name = next
            }
        }
        return false
    }

    /// Whether git lists a packed ref (`name` full, `prefix` bytes of it left out of `hidden`'s
    /// names): a valid name, not hidden by a loose file git reads as broken.
    static func isListed(_ name: UnsafeBufferPointer<UInt8>, hidden: Set<[UInt8]>, prefix: Int) -> Bool {
        guard RefNameFormat.isValid(bytes: name) else { return false }
        return hidden.isEmpty || !hidden.contains(Array(name[prefix...]))
    }

    /// The packed refs under `prefix` with their values (loose refs, which override them, not
    /// included).
    public func packedReferenceValues(under prefix: String) throws(RefFilesError) -> [String: ObjectID] {
        var values: [String: ObjectID] = [:]
        let prefixBytes = Array(prefix.utf8)
        try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) in
            try file?.forEachRecord { record in
                if record.name.starts(with: prefixBytes) { values[record.nameString] = record.id }
                return true
            }
        }
        return values
    }

    /// Calls `body` with a cursor over packed-refs (nil when there is none), to look many names
    /// up (`PackedRefs.Cursor`); unknown when the file is not sorted.
    public func withPackedRefsCursor<T>(_ body: (inout PackedRefs.Cursor?) throws(RefFilesError) -> T) throws(RefFilesError) -> Answer<T> {
        try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) -> Answer<T> in
            if let file, !file.isSorted { return .unknown }
            var cursor = file?.cursor()
            return .known(try body(&cursor))
        }
    }

    /// The packed refs whose names start with `prefix`, by binary search; unknown when the file is
    /// not sorted.
    public func packedReferenceNames(under prefix: String) throws(RefFilesError) -> Answer<[String]> {
        var upper = Array(prefix.utf8)
        guard let last = upper.popLast(), last < 0xFF else { return .unknown }
        upper.append(last + 1)
        return try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) -> Answer<[String]> in
            guard let file else { return .known([]) }
            guard file.isSorted else { return .unknown }
            var names: [String] = []
            try file.forEachRecord(namesFrom: Array(prefix.utf8), below: upper) { names.append($0.nameString) }
            return .known(names)
        }
    }

    /// The packed tags (but those in `excluded`) that peel to one of `commits`, from the peeled
    /// values a `fully-peeled` packed-refs records: one pass, no object read. Unknown when the
    /// file does not record them all.
    public func packedTagNames(
        peelingTo commits: Set<ObjectID>, excluding excluded: Set<String>
    ) throws(RefFilesError) -> Answer<[ObjectID: [String]]> {
        let prefix = Array("refs/tags/".utf8)
        return try PackedRefs.read(commonDirectory: commonDirectory) { file throws(RefFilesError) -> Answer<[ObjectID: [String]]> in
            guard let file else { return .known([:]) }
            guard file.isFullyPeeled else { return .unknown }
            var found: [ObjectID: [String]] = [:]
            // The first eight hex digits of each commit, lowercased, to pass over a record
            // without parsing its id (a listing of 100k tags for one or two commits).
            let heads = commits.map { commit in Array(commit.hex.utf8).withUnsafeBufferPointer { Self.firstDigits($0) } }
            try file.forEachRecord { record in
                guard Bytes.hasPrefix(record.name, "refs/tags/") else { return true }
                let hex = record.peeled ?? record.value
                guard heads.contains(Self.firstDigits(hex)), let commit = ObjectID(hexBytes: hex), commits.contains(commit) else {
                    return true
                }
                let name = String(decoding: UnsafeBufferPointer(rebasing: record.name[prefix.count...]), as: UTF8.self)
                if !excluded.contains(name) { found[commit, default: []].append(name) }
                return true
            }
            return .known(found)
        }
    }

    /// The first eight of 40 hexadecimal digits as a word, letters lowercased (`| 0x20` leaves
    /// digits as they are).
    @inline(__always)
    static func firstDigits(_ hex: UnsafeBufferPointer<UInt8>) -> UInt64 {
        UnsafeRawPointer(hex.baseAddress!).loadUnaligned(as: UInt64.self) | 0x2020_2020_2020_2020
    }

    // MARK: Objects

    /// Known when the object is loose; unknown otherwise (it may be packed).
    public func contains(_ id: ObjectID) -> Answer<Bool> {
        LooseObjects.header(of: id, in: layout.objectDirectories) != nil ? .known(true) : .unknown
    }

    public func kind(of id: ObjectID) -> Answer<ObjectKind> {
        LooseObjects.header(of: id, in: layout.objectDirectories).map { .known($0.kind) } ?? .unknown
    }

    /// The commit an object peels to (nil for a tree or blob, or a tag of one), following tags
    /// of tags while their objects are loose.
    public func peeledCommit(of id: ObjectID) -> Answer<ObjectID?> {
        var current = id
        for _ in 0..<16 {
            guard let object = LooseObjects.header(of: current, in: layout.objectDirectories) else { return .unknown }
            switch object.kind {
            case .commit: return .known(current)
            case .tree, .blob, .other: return .known(nil)
            case .tag:
                guard let target = LooseObjects.tagTarget(object.body) else { return .unknown }
                // A loose target must be of the kind the tag says (git refuses to peel a tag that
                // lies about it: libgit2 then answers). A packed one is taken at the tag's word,
                // as git's own peeled values in packed-refs are: a commit at main's tip is often
                // packed, and reading it would start libgit2 for every such tag.
                if let actual = LooseObjects.header(of: target.id, in: layout.objectDirectories) {
                    guard actual.kind == target.kind else { return .unknown }
                } else {
                    switch target.kind {
                    case .commit: return .known(target.id)
                    case .tree, .blob: return .known(nil)
                    case .tag, .other: return .unknown
                    }
                }
                current = target.id
            }
        }
        return .unknown
    }

    /// Known only when the two are the same commit; a walk is libgit2's.
    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) -> Answer<Bool> {
        ancestor == commit ? .known(true) : .unknown
    }

    // MARK: Helpers

    /// Refs stored in the common directory (per-worktree refs and pseudo-refs are libgit2's).
    static func isSharedRef(_ name: String) -> Bool {
        guard name.hasPrefix("refs/"), RefNameFormat.isValid(name) else { return false }
        return !(name.hasPrefix("refs/bisect/") || name.hasPrefix("refs/worktree/") || name.hasPrefix("refs/rewritten/"))
    }

    /// `*` matches any run of bytes, everything else itself.
    static func matches(_ glob: String, _ name: String) -> Bool {
        let parts = glob.split(separator: "*", omittingEmptySubsequences: false).map { Array($0.utf8) }
        let bytes = Array(name.utf8)
        guard parts.count > 1 else { return bytes == parts[0] }
        guard bytes.starts(with: parts[0]) else { return false }
        var index = parts[0].count
        for part in parts.dropFirst().dropLast() {
            guard let found = firstRange(of: part, in: bytes, from: index) else { return false }
            index = found + part.count
        }
        let last = parts.last!
        return bytes.count - index >= last.count && bytes.suffix(last.count).elementsEqual(last)
    }

    private static func firstRange(of part: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !part.isEmpty else { return start }
        var index = start
        while index + part.count <= bytes.count {
            if bytes[index..<(index + part.count)].elementsEqual(part) { return index }
            index += 1
        }
        return nil
    }
}
