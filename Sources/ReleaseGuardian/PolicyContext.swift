import Git
import GitFiles

/// What the rules can see: the repository, the settings, the whole push, and the tags that exist.
final class PolicyContext {
    let repository: any RepositoryReading
    let settings: Settings
    let updates: [RefUpdate]
    let vantage: Vantage
    /// Existing version tags, read on first use (a push of branches only never lists tags).
    private var tagIndex: ReleaseTagIndex?
    /// Versions the index must answer about: those of the tags this push writes.
    let trackedVersions: [SemanticVersion]
    /// Tag names that do not count as existing.
    let ignoringTags: Set<String>
    private var maintenanceBranchesCache: [MaintenanceHead]?
    /// This push's update of each ref (a push of 10k tags asks about each: no scans).
    private lazy var updateOfRef: [String: RefUpdate] = Dictionary(updates.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })

    /// Whether each history walk is kept for the questions to come (many tags asked about one
    /// branch: a large push, or the audit's one judgement per tag).
    let manyQuestions: Bool

    /// `givenTags`: the existing version tags, given instead of read (the audit's).
    init(
        repository: any RepositoryReading, settings: Settings, updates: [RefUpdate], vantage: Vantage, ignoringTags: Set<String>,
        trackedVersions: [SemanticVersion], givenTags: ReleaseTagIndex? = nil
    ) {
        self.repository = repository
        self.settings = settings
        self.updates = updates
        self.vantage = vantage
        self.ignoringTags = ignoringTags
        self.trackedVersions = trackedVersions
        tagIndex = givenTags
        manyQuestions = givenTags != nil || updates.count > 16
    }

    /// The version tags that exist, less those this push creates and those ignored; tags this
    /// push creates are added one by one as they are judged (`recordJudgedTag`).
    func existingTags() throws(PolicyError) -> ReleaseTagIndex {
        if let tagIndex { return tagIndex }
        let created = updates.filter(\.isCreation).compactMap { RefName.tagName(of: $0.ref) }
        let skipped = Set(created).union(ignoringTags)
        // A push skips a handful of names (compared as bytes); a CI re-run may skip thousands.
        let few = skipped.count <= 8 ? skipped.map { Array($0.utf8) } : nil
        let many = few == nil ? Set(skipped.map { Array($0.utf8) }) : []
        var tags = ReleaseTagIndex(tracking: trackedVersions)
        func insert(_ name: UnsafeBufferPointer<UInt8>) {
            let isSkipped = few.map { $0.contains { $0.elementsEqual(name) } } ?? many.contains(Array(name))
            if !isSkipped { tags.insert(tagNameBytes: name) }
        }
        if try !readByRanges(insert, current: { tags }) {
            tags = ReleaseTagIndex(tracking: trackedVersions)
            try read { () throws(ReadError) in try repository.forEachTagName(insert) }
        }
        tagIndex = tags
        return tags
    }

    /// Reads only the tag names that can matter, when the pushed tags are plain `vX.Y.Z` (X ≥ 1):
    /// the names that do not start with `v1`…`v9` (other spellings, `v0…`, anything else), each
    /// pushed tag's line (and `vX.0…`, where a `vX.0Y.Z` spelling would sort); its major, or all,
    /// only when those come up empty. At 100k tags a new patch reads a few hundred names instead
    /// of all (packed-refs is sorted: the ranges are found by binary search). Returns false when
    /// it cannot.
    private func readByRanges(_ insert: (UnsafeBufferPointer<UInt8>) -> Void, current: () -> ReleaseTagIndex) throws(PolicyError) -> Bool {
        let plain = trackedVersions.compactMap(ReleaseTagIndex.Plain.init)
        guard !plain.isEmpty, plain.count == trackedVersions.count, plain.allSatisfy({ $0.major >= 1 }) else { return false }
        // Each range once: a push of 10k tags of one line reads that line once, not 10k times.
        let lines = Set(plain.map { ReleaseTagIndex.PlainLine(major: $0.major, minor: $0.minor) })
        let majors = Set(plain.map(\.major))
        try read { () throws(ReadError) in
            try repository.forEachTagName(from: "", to: "v1", insert)
            try repository.forEachTagName(from: "v:", to: nil, insert)  // ":" follows "9"
            for line in lines {
                try repository.forEachTagName(from: "v\(line.major).\(line.minor).", to: "v\(line.major).\(line.minor)/", insert)
            }
            for major in majors { try repository.forEachTagName(from: "v\(major).0", to: "v\(major).1", insert) }
        }
        var tags = current()
        let lineComplete = trackedVersions.allSatisfy { tags.highest(inLine: $0.line) != nil && tags.highestFinal(inLine: $0.line) != nil }
        if lineComplete { return true }
        try read { () throws(ReadError) in
            for major in majors { try repository.forEachTagName(from: "v\(major).", to: "v\(major)/", insert) }  // "/" follows "."
        }
        tags = current()
        return trackedVersions.allSatisfy { tags.highest(inMajor: $0.major) != nil && tags.highestFinal(inMajor: $0.major) != nil }
    }

    func recordJudgedTag(_ name: String) throws(PolicyError) {
        _ = try existingTags()
        tagIndex!.insert(tagName: name)  // in place: a copy would cost the whole index per tag
    }

    var remoteName: String { vantage.remoteName }

    /// A branch's commit as it will be after this push: the pushed value, else the receiving
    /// side's branch as this vantage sees it. `source` says where it was read, for messages.
    func branchAfterPush(_ ref: String) throws(PolicyError) -> (commit: ObjectID, source: String)? {
        guard let value = try branchValueAfterPush(ref),
            let commit = try peeledCommit(value.id, ref: value.source == Self.pushed ? ref : value.source)
        else { return nil }
        return (commit, value.source)
    }

    static let pushed = "this push"

    /// A branch's value as it will be after this push, not peeled (when it is the very commit a
    /// tag points at, that settles "on the branch" without reading the branch's object), and
    /// where it was read.
    func branchValueAfterPush(_ ref: String) throws(PolicyError) -> (id: ObjectID, source: String)? {
        if let update = updateOfRef[ref] { return update.newID.map { ($0, Self.pushed) } }
        let branch = RefName.short(ref)
        for prefix in vantage.branchSources {
            let name = prefix + branch
            if let id = try read({ () throws(ReadError) in try repository.target(ofReference: name) }) { return (id, name) }
        }
        return nil
    }

    /// A maintenance branch as it will be after this push.
    struct MaintenanceHead {
        let ref: String
        let branch: MaintenanceBranch
        let commit: ObjectID
        /// Created by this very push: such a branch vouches for no tag of the same push.
        let isNew: Bool
    }

    /// Maintenance branches (`release.maintenance`) as they will be after this push: the pushed
    /// ones and those the receiving side has. A client sees those through the remote-tracking
    /// branches when the remote is tracked; a branch that exists only locally does not count.
    func maintenanceBranchesAfterPush() throws(PolicyError) -> [MaintenanceHead] {
        if let maintenanceBranchesCache { return maintenanceBranchesCache }  // asked once per tag
        var heads: [String: (branch: MaintenanceBranch, id: ObjectID, isNew: Bool)] = [:]
        let remoteTracked =
            try vantage.trackingPrefix.map { prefix throws(PolicyError) in try hasReference(matching: prefix + "*") } ?? false
        let prefix = remoteTracked ? vantage.trackingPrefix! : RefName.headsPrefix
        try read { () throws(ReadError) in
            for glob in settings.maintenanceBranches {
                for name in try repository.referenceNames(matching: prefix + glob.dropFirst(RefName.headsPrefix.count)) {
                    let ref = RefName.branch(name.dropFirst(prefix.count))
                    if heads[ref] == nil, let branch = MaintenanceBranch(ref: ref, settings: settings),
                        let id = try repository.target(ofReference: name)
                    {
                        heads[ref] = (branch, id, false)
                    }
                }
            }
        }
        for update in updates {
            guard let branch = MaintenanceBranch(ref: update.ref, settings: settings) else { continue }
            heads[update.ref] = update.newID.map { (branch, $0, update.oldID == nil) }
        }
        var result: [MaintenanceHead] = []
        for (ref, head) in heads.sorted(by: { $0.key < $1.key }) {
            if let commit = try peeledCommit(head.id, ref: ref) {
                result.append(MaintenanceHead(ref: ref, branch: head.branch, commit: commit, isNew: head.isNew))
            }
        }
        maintenanceBranchesCache = result
        return result
    }

    /// The commits of the release tags of `branch`'s line that existed before this push.
    func existingReleaseCommits(of branch: MaintenanceBranch) throws(PolicyError) -> Set<ObjectID> {
        let glob = RefName.tag("v\(branch.major)." + (branch.minor.map { "\($0).*" } ?? "*"))
        let created = Set(updates.filter(\.isCreation).map(\.ref))
        let names = try read { () throws(ReadError) in try repository.referenceNames(matching: glob) }.filter { name in
            guard !created.contains(name), case .release(let version) = TagName(RefName.short(name)) else { return false }
            return branch.names(version)
        }
        var commits: Set<ObjectID> = []
        for name in names {
            if let id = try read({ () throws(ReadError) in try repository.target(ofReference: name) }),
                let commit = try peeledCommit(id, ref: name)
            {
                commits.insert(commit)
            }
        }
        return commits
    }

    private func hasReference(matching glob: String) throws(PolicyError) -> Bool {
        try read { () throws(ReadError) in try !repository.referenceNames(matching: glob).isEmpty }
    }

    /// Whether an update moves a branch forward only. `oldIsKnown` is false when the old
    /// commit is not in this repository (the push would drop a commit it cannot see).
    func isFastForward(_ update: GuardedUpdate) throws(PolicyError) -> (fastForward: Bool, oldIsKnown: Bool) {
        guard let old = update.update.oldID, let new = update.newCommit else { return (true, true) }
        guard try contains(old), let oldCommit = try peeledCommit(old, ref: update.update.ref) else { return (false, false) }
        return (try isAncestor(oldCommit, of: new), true)
    }

    /// A tag's commit as it will be after this push.
    func tagCommitAfterPush(_ tag: String) throws(PolicyError) -> ObjectID? {
        let ref = RefName.tag(tag)
        if let update = updateOfRef[ref] {
            guard let newID = update.newID else { return nil }
            return try peeledCommit(newID, ref: ref)
        }
        guard let id = try read({ () throws(ReadError) in try repository.target(ofReference: ref) }) else { return nil }
        return try peeledCommit(id, ref: ref)
    }

    func peeledCommit(_ id: ObjectID, ref: String) throws(PolicyError) -> ObjectID? {
        do {
            return try repository.peeledCommit(of: id)
        } catch  where error.isNotFound {
            throw .missingObject(ref: ref, id: id)
        } catch {
            throw .read(error)
        }
    }

    /// Appended to the fix of a rule that walks history: a shallow clone may lack the commits
    /// that link two others, so say how to get them.
    var shallowHint: String {
        repository.isShallow ? " This clone is shallow, so history may be missing: run `git fetch --unshallow` and push again." : ""
    }

    func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws(PolicyError) -> Bool {
        try read { () throws(ReadError) in try repository.isAncestor(ancestor, of: commit, many: manyQuestions) }
    }

    /// The first commit from `tip` (back to `base`) that cannot be parsed, described; nil when
    /// all can.
    func firstUnreadableCommit(from tip: ObjectID, excluding base: ObjectID?) throws(PolicyError) -> String? {
        try read { () throws(ReadError) in try repository.firstUnreadableCommit(from: tip, excluding: base) }
    }

    func contains(_ id: ObjectID) throws(PolicyError) -> Bool {
        try read { () throws(ReadError) in try repository.contains(id) }
    }

    func read<T>(_ body: () throws(ReadError) -> T) throws(PolicyError) -> T {
        do { return try body() } catch { throw .read(error) }
    }
}

/// An update the policy guards, classified once (`RefKind`), with its new object.
struct GuardedUpdate {
    let update: RefUpdate
    let kind: RefKind
    /// The ref without `refs/tags/` or `refs/heads/`.
    let shortName: String
    /// What the new object peels to (nil for a deletion or a non-commit).
    let newCommit: ObjectID?
    /// The kind of the new object itself (an annotated tag is `.tag`).
    let newObjectKind: ObjectKind?

    init(_ update: RefUpdate, settings: Settings, repository: any RepositoryReading) throws(PolicyError) {
        self.update = update
        kind = RefKind(update.ref, settings: settings)
        switch kind {
        case .record: shortName = update.ref
        default: shortName = RefName.short(update.ref)
        }
        guard kind.isGuarded, let newID = update.newID else {
            newCommit = nil
            newObjectKind = nil
            return
        }
        do {
            newObjectKind = try repository.kind(of: newID)
            newCommit = try repository.peeledCommit(of: newID)
        } catch  where error.isNotFound {
            throw .missingObject(ref: update.ref, id: newID)
        } catch {
            throw .read(error)
        }
    }

    /// The version a pushed version tag spells (what the tag index must answer about).
    var spelledVersion: SemanticVersion? {
        guard case .tag(let name) = kind else { return nil }
        return name.version ?? TagName.normalizedVersion(of: shortName)
    }

    /// The version of a release tag this update creates.
    var newRelease: SemanticVersion? {
        guard update.isCreation, case .tag(.release(let version)) = kind else { return nil }
        return version
    }
}
