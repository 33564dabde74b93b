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
    /// The same for each component's tags (`google-gax-v…`), read when one is pushed.
    private var componentIndexes: [TagComponent: ReleaseTagIndex] = [:]
    /// Versions the index must answer about: those of the plain tags this push writes.
    let trackedVersions: [SemanticVersion]
    /// The same for each component's tags.
    private let trackedComponentVersions: [TagComponent: [SemanticVersion]]
    /// A plain floating tag is pushed: its major's highest release is asked, so every name is read.
    private let tracksPlainFloatingTag: Bool
    /// Tag names that do not count as existing.
    let ignoringTags: Set<String>
    private var maintenanceBranchesCache: [MaintenanceHead]?
    /// This push's update of each ref (a push of 10k tags asks about each: no scans).
    private lazy var updateOfRef: [String: RefUpdate] = Dictionary(updates.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
    /// The tags this push creates and those ignored: they do not count as existing.
    private lazy var skipped = SkippedNames(
        Set(updates.filter(\.isCreation).compactMap { RefName.tagName(of: $0.ref) }).union(ignoringTags))

    /// Whether each history walk is kept for the questions to come (many tags asked about one
    /// branch: a large push, or the audit's one judgement per tag).
    let manyQuestions: Bool

    /// `tracked`: the component and version of each tag this push writes (for a floating tag,
    /// a version of its line or major). `givenTags`: the existing plain version tags, given
    /// instead of read (the audit's).
    init(
        repository: any RepositoryReading, settings: Settings, updates: [RefUpdate], vantage: Vantage, ignoringTags: Set<String>,
        tracked: [GuardedUpdate.Tracked], givenTags: ReleaseTagIndex? = nil
    ) {
        self.repository = repository
        self.settings = settings
        self.updates = updates
        self.vantage = vantage
        self.ignoringTags = ignoringTags
        trackedVersions = tracked.compactMap { $0.component.name == nil ? $0.version : nil }
        var byComponent: [TagComponent: [SemanticVersion]] = [:]
        for entry in tracked where entry.component.name != nil { byComponent[entry.component, default: []].append(entry.version) }
        trackedComponentVersions = byComponent
        tracksPlainFloatingTag = tracked.contains { $0.isFloating && $0.component.name == nil }
        tagIndex = givenTags
        manyQuestions = givenTags != nil || updates.count > 16
    }

    /// The release tags of `component` that exist, less those this push creates and those
    /// ignored; tags this push creates are added one by one as they are judged (`recordJudgedTag`).
    func existingTags(of component: TagComponent) throws(PolicyError) -> ReleaseTagIndex {
        if component.name == nil { return try plainTags() }
        if let index = componentIndexes[component] { return index }
        var tags = ReleaseTagIndex(tracking: trackedComponentVersions[component] ?? [], component: component)
        let skipped = skipped
        try read { () throws(ReadError) in
            try repository.forEachTagName(of: component) { name, afterStem in
                if !skipped.contains(name) { tags.insert(tagNameBytes: afterStem) }
            }
        }
        componentIndexes[component] = tags
        return tags
    }

    /// The plain `v` tags: the hot path of a push of a new `vX.Y.Z`.
    private func plainTags() throws(PolicyError) -> ReleaseTagIndex {
        if let tagIndex { return tagIndex }
        let skipped = skipped
        var tags = ReleaseTagIndex(tracking: trackedVersions)
        func insert(_ name: UnsafeBufferPointer<UInt8>) {
            if !skipped.contains(name) { tags.insert(tagNameBytes: name) }
        }
        // A floating tag asks for its major's highest release: every name, not ranges.
        if tracksPlainFloatingTag {
            try read { () throws(ReadError) in try repository.forEachTagName(insert) }
        } else if try !readByRanges(insert, current: { tags }) {
            tags = ReleaseTagIndex(tracking: trackedVersions)
            try read { () throws(ReadError) in try repository.forEachTagName(insert) }
        }
        tagIndex = tags
        return tags
    }

    /// Names compared as bytes: a push skips a handful, a CI re-run may skip thousands.
    struct SkippedNames {
        private let few: [[UInt8]]?
        private let many: Set<[UInt8]>

        init(_ names: Set<String>) {
            few = names.count <= 8 ? names.map { Array($0.utf8) } : nil
            many = few == nil ? Set(names.map { Array($0.utf8) }) : []
        }

        func contains(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
            few.map { $0.contains { $0.elementsEqual(name) } } ?? many.contains(Array(name))
        }
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

    /// Adds a release tag this push creates, once judged, to its component's index.
    func recordJudgedTag(_ name: String, component: TagComponent) throws(PolicyError) {
        // In place: a copy would cost the whole index per tag.
        if component.name == nil {
            _ = try plainTags()
            tagIndex!.insert(tagName: name)
        } else {
            _ = try existingTags(of: component)
            componentIndexes[component]!.insert(tagName: String(name.dropFirst(component.stem.count)))
        }
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
        let glob = RefName.tag(branch.component.prefix + "\(branch.major)." + (branch.minor.map { "\($0).*" } ?? "*"))
        let created = Set(updates.filter(\.isCreation).map(\.ref))
        let naming = settings.tagNaming
        let names = try read { () throws(ReadError) in try repository.referenceNames(matching: glob) }.filter { name in
            guard !created.contains(name), case .release(let version, let component) = TagName(RefName.short(name), naming: naming)
            else { return false }
            return component == branch.component && branch.names(version)
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

    /// The component and version the tag index must answer about for this update.
    struct Tracked {
        let component: TagComponent
        let version: SemanticVersion
        /// For a floating tag: a version of its line or major, not one it spells.
        let isFloating: Bool
    }

    /// The component and version a pushed version tag spells (read leniently, for `tag-spelling`).
    let spelled: (component: TagComponent, version: SemanticVersion)?

    init(_ update: RefUpdate, settings: Settings, repository: any RepositoryReading) throws(PolicyError) {
        self.update = update
        kind = RefKind(update.ref, settings: settings)
        switch kind {
        case .record: shortName = update.ref
        default: shortName = RefName.short(update.ref)
        }
        spelled =
            switch kind {
            case .tag(.release(let version, let component)): (component, version)
            case .tag(.floating): nil
            case .tag: TagName.spelledVersion(of: shortName, naming: settings.tagNaming)
            default: nil
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

    /// What the tag index must answer about for this update: the version a pushed version tag
    /// spells, or a floating tag's line.
    var tracked: Tracked? {
        if case .tag(.floating(let tag)) = kind { return Tracked(component: tag.component, version: tag.trackedVersion, isFloating: true) }
        return spelled.map { Tracked(component: $0.component, version: $0.version, isFloating: false) }
    }

    /// The version and component of a release tag this update creates.
    var newRelease: (version: SemanticVersion, component: TagComponent)? {
        guard update.isCreation, case .tag(.release(let version, let component)) = kind else { return nil }
        return (version, component)
    }

    /// A floating tag this update creates, moves or deletes.
    var floatingTag: FloatingTag? {
        if case .tag(.floating(let tag)) = kind { return tag }
        return nil
    }
}
