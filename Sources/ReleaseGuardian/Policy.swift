import Git
import GitFiles

/// The rule ids of SPEC.md; they appear in output and `--json`.
public enum RuleID: String, CaseIterable, Sendable, Codable {
    case tagFormat = "tag-format"
    case tagSpelling = "tag-spelling"
    case tagTarget = "tag-target"
    case tagAnnotated = "tag-annotated"
    case tagImmutable = "tag-immutable"
    case tagDelete = "tag-delete"
    case tagOrder = "tag-order"
    case tagSkip = "tag-skip"
    case tagOnMain = "tag-on-main"
    case tagFloating = "tag-floating"
    case mainForce = "main-force"
    case mainDelete = "main-delete"
    case releaseBranch = "release-branch"
    case maintenanceBranch = "maintenance-branch"
    case policyFile = "policy-file"
    case recordKept = "record-kept"
}

/// One rule refusing one ref: what, why, and the commands that fix it.
public struct Violation: Equatable, Sendable, Codable {
    public let rule: RuleID
    public let ref: String
    public let message: String
    public let fix: String

    public init(rule: RuleID, ref: String, message: String, fix: String) {
        self.rule = rule
        self.ref = ref
        self.message = message
        self.fix = fix
    }
}

/// A rule of the policy, applied to one update at a time.
protocol Rule: Sendable {
    /// nil when the update satisfies the rule (or the rule does not apply to it).
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation?
}

/// The one rule engine: the pre-push hook, the CI step and the server hooks all call it.
public struct Policy {
    public let settings: Settings

    /// Every rule of the table, in the order their violations are reported for one ref.
    static let rules: [any Rule] = [
        TagFormatRule(), TagSpellingRule(), TagTargetRule(), TagAnnotatedRule(), TagImmutableRule(),
        TagDeleteRule(), TagOrderRule(), TagSkipRule(), TagOnMainRule(), TagFloatingRule(), MainDeleteRule(), MainForceRule(),
        ReleaseBranchRule(), MaintenanceBranchRule(), PolicyFileRule(), RecordKeptRule(),
    ]

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Applies every rule to a set of proposed updates. The result lists violations in the order
    /// of the updates; an empty result means the push is allowed. `ignoringTags` are tag names
    /// that do not count as existing (the CI check leaves out tags made after the one it judges).
    public func evaluate(
        _ updates: [RefUpdate], in repository: any RepositoryReading, vantage: Vantage,
        ignoringTags: Set<String> = []
    ) throws(PolicyError) -> [Violation] {
        try evaluate(updates, in: repository, vantage: vantage, ignoringTags: ignoringTags, existingTags: nil)
    }

    /// `updates` judged against `existingTags`, given as the version tags that exist (the
    /// audit's one pass builds, for each tag, those that existed when it was made), in place of
    /// reading them; each history walk is kept for the next call (`many`).
    func evaluate(
        _ updates: [RefUpdate], in repository: any RepositoryReading, vantage: Vantage, existingTags: ReleaseTagIndex
    ) throws(PolicyError) -> [Violation] {
        try evaluate(updates, in: repository, vantage: vantage, ignoringTags: [], existingTags: existingTags)
    }

    private func evaluate(
        _ updates: [RefUpdate], in repository: any RepositoryReading, vantage: Vantage,
        ignoringTags: Set<String>, existingTags: ReleaseTagIndex?
    ) throws(PolicyError) -> [Violation] {
        let changes = updates.filter { $0.oldID != $0.newID }
        var guarded: [(position: Int, update: GuardedUpdate)] = []
        for (position, update) in changes.enumerated() {
            let classified = try GuardedUpdate(update, settings: settings, repository: repository)
            if classified.kind != .unguarded { guarded.append((position, classified)) }
        }
        let context = PolicyContext(
            repository: repository, settings: settings, updates: changes, vantage: vantage,
            ignoringTags: ignoringTags, tracked: guarded.compactMap { $0.update.tracked }, givenTags: existingTags)
        // New release tags are judged in version order, each against the tags before it, so that
        // `git push --follow-tags` with v1.0.0 and v1.1.0 orders them as they will be; floating
        // tags last, against their line as this push leaves it (`v7.2.0` and `v7` together).
        let evaluationOrder = guarded.sorted { lhs, rhs in
            switch (lhs.update.newRelease, rhs.update.newRelease) {
            case (let l?, let r?): return l.version < r.version
            case (nil, .some): return lhs.update.floatingTag == nil
            case (.some, nil): return rhs.update.floatingTag != nil
            case (nil, nil): return lhs.update.floatingTag == nil && rhs.update.floatingTag != nil
            }
        }
        var found: [Int: [Violation]] = [:]
        for (position, update) in evaluationOrder {
            for rule in Self.rules {
                if let violation = try rule.check(update, in: context) {
                    found[position, default: []].append(violation)
                }
            }
            if let release = update.newRelease { try context.recordJudgedTag(update.shortName, component: release.component) }
        }
        return found.keys.sorted().flatMap { found[$0]! }
    }
}

/// Where the policy runs, which decides how "the branch as it will be after this push" is read.
public enum Vantage: Sendable {
    /// A developer's push: the remote's branches are seen through `refs/remotes/<remote>/`,
    /// else the local branches.
    case client(remote: String?)
    /// The receiving repository itself: its own branches.
    case server

    /// Where the receiving side's branches are read, most trusted first: for a client, the
    /// remote-tracking branches of the remote pushed to, then the local branches.
    var branchSources: [String] {
        if let tracking = trackingPrefix { return [tracking, RefName.headsPrefix] }
        return [RefName.headsPrefix]
    }

    /// `refs/remotes/<remote>/` when the client pushes to a named remote.
    var trackingPrefix: String? {
        guard case .client(let remote?) = self, RefNameFormat.isValid(RefName.remoteBranch(remote, "x")) else { return nil }
        return RefName.remotesPrefix + remote + "/"
    }

    var remoteName: String {
        if case .client(let remote?) = self, trackingPrefix != nil { return remote }
        return "origin"
    }
}

/// The policy could not be applied (a missing object, an unreadable repository); exit 2.
public enum PolicyError: Error, Sendable, CustomStringConvertible {
    case missingObject(ref: String, id: ObjectID)
    case read(ReadError)

    public var description: String {
        switch self {
        case .missingObject(let ref, let id):
            "the object \(id) proposed for \(ref) is not in this repository, so the rules cannot be checked. Run `git fetch`, or check that the repository is complete (`git fsck`)."
        case .read(let error):
            "git: \(error.message)"
        }
    }
}
