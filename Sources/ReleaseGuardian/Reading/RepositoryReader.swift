import Git
import GitFiles

/// The reading port as the commands use it: each question is answered from the repository's
/// files when they are enough (`RepositoryFiles`), else through libgit2, opened once and only
/// when a question needs it. A push of branches, or of a new tag at main's tip, is judged
/// without starting libgit2.
public final class RepositoryReader: RepositoryReading {
    /// nil when the files are in a layout or format the file readers do not know.
    public let files: RepositoryFiles?
    private let open: () throws(GitError) -> Repository
    private var opened: LibGit2Reader?
    /// All tag names, sorted, when a range was asked and the files could not answer it.
    private var sortedTagNames: [[UInt8]]?

    /// A reader over `files`, opening libgit2 with `open` when a question needs it.
    public init(files: RepositoryFiles?, open: @escaping () throws(GitError) -> Repository) {
        self.files = files
        self.open = open
    }

    /// A reader over a repository libgit2 has already opened (its files read where they can be).
    public convenience init(_ repository: Repository, environment: (String) -> String? = ProcessEnvironment.value) {
        let layout = RepositoryLayout.at(
            gitDirectory: repository.gitDirectory, workTree: repository.workingDirectory, environment: environment)
        self.init(files: layout.map(RepositoryFiles.init), open: { repository })
    }

    /// Whether a question needed libgit2 (the hook's fast path did not hold).
    public var hasOpenedLibgit2: Bool { opened != nil }

    /// libgit2's reader, opened on first use.
    public func libgit2() throws(ReadError) -> LibGit2Reader {
        if let opened { return opened }
        do {
            opened = LibGit2Reader(try open())
        } catch {
            throw .git(error)
        }
        return opened!
    }

    /// The libgit2 repository, for what only libgit2 does (writing, fetching, pushing).
    public func repository() throws(ReadError) -> Repository { try libgit2().repository }

    public var commonDirectory: String { files?.commonDirectory ?? (try? libgit2().commonDirectory) ?? "" }

    public var isShallow: Bool { files?.isShallow ?? (try? libgit2().isShallow) ?? false }

    // MARK: Questions: the files' answer, else libgit2's

    public func target(ofReference name: String) throws(ReadError) -> ObjectID? {
        if let answer = try fromFiles({ files throws(RefFilesError) in try files.target(ofReference: name) }) { return answer }
        return try libgit2().target(ofReference: name)
    }

    public func fullReferenceName(for shorthand: String) throws(ReadError) -> String? {
        if let answer = try fromFiles({ files throws(RefFilesError) in try files.fullReferenceName(for: shorthand) }) { return answer }
        return try libgit2().fullReferenceName(for: shorthand)
    }

    public func headBranch() throws(ReadError) -> String? {
        if let answer = files?.headBranch().value { return answer }
        return try libgit2().headBranch()
    }

    public func kind(of id: ObjectID) throws(ReadError) -> ObjectKind {
        if let answer = files?.kind(of: id).value { return answer }
        return try libgit2().kind(of: id)
    }

    public func peeledCommit(of id: ObjectID) throws(ReadError) -> ObjectID? {
        if let answer = files?.peeledCommit(of: id).value { return answer }
        return try libgit2().peeledCommit(of: id)
    }

    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID, many: Bool) throws(ReadError) -> Bool {
        if let answer = files?.isAncestor(ancestor, of: commit).value { return answer }
        return try libgit2().isAncestor(ancestor, of: commit, many: many)
    }

    public func contains(_ id: ObjectID) throws(ReadError) -> Bool {
        if let answer = files?.contains(id).value { return answer }
        return try libgit2().contains(id)
    }

    public func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(ReadError) {
        guard let files else { return try libgit2().forEachTagName(body) }
        do { try files.forEachTagName(body) } catch { throw .refFiles(error) }
    }

    public func forEachTagName(from lower: String, to upper: String?, _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(ReadError) {
        if try fromFiles({ files throws(RefFilesError) in try files.forEachTagName(from: lower, to: upper, body) }) != nil { return }
        // An unsorted packed-refs: every name once, sorted, then each range by binary search.
        if sortedTagNames == nil {
            var names: [[UInt8]] = []
            try forEachTagName { names.append(Array($0)) }
            sortedTagNames = names.sorted { $0.lexicographicallyPrecedes($1) }
        }
        let names = sortedTagNames!
        let (low, high) = (Array(lower.utf8), upper.map { Array($0.utf8) })
        var index = names.partitioningIndex { !$0.lexicographicallyPrecedes(low) }
        while index < names.count, high.map({ names[index].lexicographicallyPrecedes($0) }) ?? true {
            names[index].withUnsafeBufferPointer { body($0) }
            index += 1
        }
    }

    public func referenceNames(matching glob: String) throws(ReadError) -> [String] {
        if let answer = try fromFiles({ files throws(RefFilesError) in try files.referenceNames(matching: glob) }) { return answer }
        return try libgit2().referenceNames(matching: glob)
    }

    /// Packed tags from packed-refs' peeled values (one pass, no object read per tag); loose
    /// tags, which override packed ones, each peeled as a question of its own.
    public func tagNames(pointingAt commits: Set<ObjectID>) throws(ReadError) -> [ObjectID: [String]] {
        guard !commits.isEmpty else { return [:] }
        guard let files else { return try libgit2().tagNames(pointingAt: commits) }
        let loose: [String]
        let packed: Answer<[ObjectID: [String]]>
        do {
            loose = try files.looseReferenceNames(under: RefName.tagsPrefix)
            packed = try files.packedTagNames(
                peelingTo: commits, excluding: Set(loose.map { String($0.dropFirst(RefName.tagsPrefix.count)) }))
        } catch {
            throw .refFiles(error)
        }
        guard case .known(var found) = packed else { return try libgit2().tagNames(pointingAt: commits) }
        for name in loose {
            guard let id = try target(ofReference: name) else { continue }
            // A tag of a missing object peels to nothing, as in `LibGit2Reader` (libgit2's peel).
            let peeled: ObjectID?
            do { peeled = try peeledCommit(of: id) } catch  where error.isNotFound { continue }
            guard let commit = peeled, commits.contains(commit) else { continue }
            found[commit, default: []].append(String(name.dropFirst(RefName.tagsPrefix.count)))
        }
        return found
    }

    /// Packed values in one pass, then the loose refs, which override them.
    public func referenceValues(under prefix: String) throws(ReadError) -> [String: ObjectID] {
        guard let files else { return try libgit2().referenceValues(under: prefix) }
        var values: [String: ObjectID]
        let loose: [String]
        do {
            values = try files.packedReferenceValues(under: prefix)
            loose = try files.looseReferenceNames(under: prefix)
        } catch {
            throw .refFiles(error)
        }
        for name in loose {
            if let id = try target(ofReference: name) { values[name] = id }
        }
        return values
    }

    public func creationTime(of id: ObjectID) throws(ReadError) -> Int64? { try libgit2().creationTime(of: id) }

    public func fileContent(_ path: String, at commit: ObjectID) throws(ReadError) -> [UInt8]? {
        try libgit2().fileContent(path, at: commit)
    }

    public func firstUnreadableCommit(from tip: ObjectID, excluding base: ObjectID?) throws(ReadError) -> String? {
        try libgit2().firstUnreadableCommit(from: tip, excluding: base)
    }

    /// The files' answer, or nil when they cannot tell (or are not readable by these readers).
    private func fromFiles<T>(_ question: (RepositoryFiles) throws(RefFilesError) -> Answer<T>) throws(ReadError) -> T? {
        guard let files else { return nil }
        do { return try question(files).value } catch { throw .refFiles(error) }
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate false then true
    /// along the array.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
