import Git

/// `release.baseline = vX.Y.Z`: the history a team accepts as it is (`audit --write-baseline`
/// writes it). A tag is *history* when its version is at or below the baseline's and it was
/// made no later than the baseline tag (tagger date, or commit date for a lightweight tag):
/// `ci`, `deploy` and `revert-to` do not judge it again. A tag made after the baseline tag is
/// judged in full whatever its version, so a tag below the baseline that did not exist then is
/// not excused. The hooks never read the baseline: a tag a push creates is always judged in
/// full, and moving or deleting a history tag is refused as for any release tag.
///
/// Component tags (`[component "NAME"] baseline = NAME-vX.Y.Z`) will give each prefix its own
/// baseline: `Settings.baseline(forTag:)` is where a tag finds the baseline that covers it.
public struct Baseline: Sendable, Equatable {
    /// The tag named by the setting, `v17.11.1`.
    public let tag: String
    public let version: SemanticVersion
    /// Where it was set, for messages.
    public let source: String

    /// A strict release tag name (`v` + SemVer, no build metadata), else a clear error.
    init(_ value: String, source: String) throws(ConfigurationError) {
        let name = value.trimmingCharacters(in: .whitespaces)
        guard case .release(let version, _) = TagName(name) else {
            throw .invalidValue(
                key: "release.baseline", value: value, source: source,
                expected:
                    "a release tag name such as v1.4.2, the highest tag of the history to accept (`release-guardian audit --write-baseline` writes it)"
            )
        }
        tag = name
        self.version = version
        self.source = source
    }

    /// The baseline as this repository has it: when its tag was made.
    func resolved(in repository: any RepositoryReading) throws(BaselineError) -> History {
        let id: ObjectID?
        let made: Int64?
        do { id = try repository.target(ofReference: RefName.tag(tag)) } catch { throw .read(error) }
        guard let id else { throw .missingTag(self) }
        do { made = try repository.creationTime(of: id) } catch { throw .read(error) }
        guard let made else { throw .notACommit(self) }
        return History(version: version, made: made)
    }

    /// The tags a baseline covers, once its tag is read (or the one `audit` proposes).
    struct History {
        let version: SemanticVersion
        /// When the baseline tag was made, in seconds.
        let made: Int64

        /// Whether the existing tag `name`, made at `made`, is history. A guarded tag that names
        /// no version (`release.onlyVersionTags`) is history when it was made no later.
        func covers(_ name: String, made tagMade: Int64?) -> Bool {
            guard let tagMade, tagMade <= made else { return false }
            guard let version = TagName(name).version ?? TagName.normalizedVersion(of: name) else { return true }
            return SemanticVersion.compare(version, self.version) <= 0
        }
    }

    /// Whether a version tag could be history (its version is at or below the baseline's),
    /// before reading any date: `ci` on a newer tag never needs the baseline tag.
    func mayCover(_ name: String) -> Bool {
        guard let version = TagName(name).version ?? TagName.normalizedVersion(of: name) else { return true }
        return SemanticVersion.compare(version, self.version) <= 0
    }
}

extension Settings {
    /// The baseline that covers the tag `name`. Today one baseline for every version tag; when
    /// component tags come, the component whose prefix `name` has gives its own.
    func baseline(forTag name: String) -> Baseline? { baseline }

    /// Whether the existing tag `name` (its ref's value `id`) is history under the baseline
    /// (nil when there is none, or it does not cover the tag).
    func history(ofTag name: String, id: ObjectID, in repository: any RepositoryReading) throws(BaselineError) -> Baseline? {
        guard let baseline = baseline(forTag: name), baseline.mayCover(name) else { return nil }
        let history = try baseline.resolved(in: repository)
        let made: Int64?
        do { made = try repository.creationTime(of: id) } catch { throw .read(error) }
        return history.covers(name, made: made) ? baseline : nil
    }
}

/// The baseline cannot be used here; exit 2.
public enum BaselineError: Error, CustomStringConvertible, Sendable {
    case missingTag(Baseline)
    case notACommit(Baseline)
    case read(ReadError)

    public var description: String {
        switch self {
        case .missingTag(let baseline):
            "release.baseline = \(baseline.tag) (\(baseline.source)) names no tag of this repository, so the history it accepts is unknown. Fetch the tags (`git fetch --tags origin`), or set it to an existing release tag (`release-guardian audit --write-baseline` writes the highest)."
        case .notACommit(let baseline):
            "release.baseline = \(baseline.tag) (\(baseline.source)) names a tag that points at no commit, so when it was made is unknown. Set it to a release tag of a commit (`release-guardian audit --write-baseline` writes the highest)."
        case .read(let error):
            "git: \(error.message)"
        }
    }
}
