import Git

/// Ref name prefixes and the names built from them, written once.
public enum RefName {
    public static let tagsPrefix = "refs/tags/"
    public static let headsPrefix = "refs/heads/"
    public static let remotesPrefix = "refs/remotes/"

    public static func tag(_ name: some StringProtocol) -> String { tagsPrefix + name }
    public static func branch(_ name: some StringProtocol) -> String { headsPrefix + name }
    /// `refs/remotes/<remote>/<branch>`.
    public static func remoteBranch(_ remote: String, _ branch: some StringProtocol) -> String { remotesPrefix + remote + "/" + branch }

    /// The tag's name without `refs/tags/`, nil for a ref that is not a tag.
    public static func tagName(of ref: String) -> String? {
        ref.hasPrefix(tagsPrefix) ? String(ref.dropFirst(tagsPrefix.count)) : nil
    }

    /// The branch's name without `refs/heads/`, nil for a ref that is not a branch.
    public static func branchName(of ref: String) -> String? {
        ref.hasPrefix(headsPrefix) ? String(ref.dropFirst(headsPrefix.count)) : nil
    }

    /// The name people use: without `refs/heads/` or `refs/tags/`.
    public static func short(_ ref: String) -> String { tagName(of: ref) ?? branchName(of: ref) ?? ref }
}

/// What a ref is to the policy, decided here and nowhere else.
enum RefKind: Equatable {
    /// A tag some rule guards.
    case tag(TagName)
    /// A tag no rule guards (`release.onlyVersionTags` off... and a name that is no version).
    case unguardedTag
    case mainBranch
    /// `release/vX.Y.Z`: a rollback branch that must sit on its tag.
    case releaseBranch(tag: String)
    /// A branch of `release.maintenance` naming a line: only moves forward, never deleted.
    case maintenanceBranch(MaintenanceBranch)
    /// What rollbacks keep: a backup of an overwritten head, or the deployment ledger.
    case record(RecordRef)
    /// Any other branch, or any other ref.
    case unguarded

    init(_ ref: String, settings: Settings) {
        if let name = RefName.tagName(of: ref) {
            let tag = TagName(name, naming: settings.tagNaming)
            self =
                tag.isGuarded(onlyVersionTags: settings.onlyVersionTags, allowNonASCII: settings.allowNonASCIITags)
                ? .tag(tag) : .unguardedTag
        } else if ref == settings.mainBranch {
            self = .mainBranch
        } else if let tag = Self.releaseBranchTag(ref, naming: settings.tagNaming) {
            self = .releaseBranch(tag: tag)
        } else if let record = RecordRef(ref) {
            self = .record(record)
        } else if let branch = MaintenanceBranch(ref: ref, settings: settings) {
            self = .maintenanceBranch(branch)
        } else {
            self = .unguarded
        }
    }

    /// Whether some rule guards an update of this ref (a push of nothing else is allowed).
    var isGuarded: Bool {
        switch self {
        case .unguardedTag, .unguarded: false
        default: true
        }
    }

    /// The tag a `release/<tag>` branch names, when `<tag>` is a release tag (of any component).
    static func releaseBranchTag(_ ref: String, naming: TagNaming) -> String? {
        let prefix = RefName.headsPrefix + "release/"
        guard ref.hasPrefix(prefix) else { return nil }
        let tag = String(ref.dropFirst(prefix.count))
        guard case .release = TagName(tag, naming: naming) else { return nil }
        return tag
    }
}
