import Git

/// `release.baseline = vX.Y.Z`: the history a team accepts as it is (`audit --write-baseline`
/// writes it). A tag is *history* when its version is at or below the baseline's and it was
/// made no later than the baseline tag (tagger date, or commit date for a lightweight tag):
/// `ci`, `deploy` and `revert-to` do not judge it again. A tag made after the baseline tag is
/// judged in full whatever its version, so a tag below the baseline that did not exist then is
/// not excused. The hooks never read the baseline: a tag a push creates is always judged in
/// full, and moving or deleting a history tag is refused as for any release tag.
///
/// Each namespace of tags has its own: `release.baseline` the plain `v` tags, and
/// `[component "NAME"] baseline = NAME-vX.Y.Z` that component's tags. A baseline never covers
/// another namespace's tags: versions of two components do not compare, and one made late would
/// excuse by its date alone every tag of the other made before it.
public struct Baseline: Sendable, Equatable {
    /// The tag named by the setting, `v17.11.1`, `google-gax-v5.0.4`.
    public let tag: String
    public let version: SemanticVersion
    /// Where it was set, for messages.
    public let source: String
    /// The namespace it covers: `.plain` for `release.baseline`.
    public let component: TagComponent

    /// A strict release tag name of `component` (its prefix + SemVer, no build metadata), else a
    /// clear error naming the key.
    init(_ value: String, source: String, component: TagComponent = .plain) throws(ConfigurationError) {
        let name = value.trimmingCharacters(in: .whitespaces)
        let naming = TagNaming(components: component.name == nil ? [] : [component], floatingTags: false)
        guard case .release(let version, let owner) = TagName(name, naming: naming), owner == component else {
            let example = component.prefix + "1.4.2"
            throw .invalidValue(
                key: Self.key(of: component), value: value, source: source,
                expected:
                    "a release tag name\(component.ofComponent) such as \(example), the highest tag of the history to accept (`release-guardian audit --write-baseline` writes it)"
            )
        }
        tag = name
        self.version = version
        self.source = source
        self.component = component
    }

    /// The setting's key in git-config words: `release.baseline`, `component.google-gax.baseline`.
    public var key: String { Self.key(of: component) }

    static func key(of component: TagComponent) -> String {
        component.name.map { "component.\($0).baseline" } ?? "release.baseline"
    }

    /// `[component "NAME"] baseline = NAME-vX.Y.Z` of each component that sets one, by name.
    static func configured(in values: RawValues, components: [TagComponent]) throws(ConfigurationError) -> [String: Baseline] {
        var baselines: [String: Baseline] = [:]
        for component in components {
            guard let name = component.name, let entry = values.last(key(of: component)) else { continue }
            baselines[name] = try Baseline(entry.value, source: entry.source, component: component)
        }
        return baselines
    }

    /// The baseline as this repository has it: when its tag was made.
    func resolved(in repository: any RepositoryReading) throws(BaselineError) -> History {
        let id: ObjectID?
        let made: Int64?
        do { id = try repository.target(ofReference: RefName.tag(tag)) } catch { throw .read(error) }
        guard let id else { throw .missingTag(self) }
        do { made = try repository.creationTime(of: id) } catch { throw .read(error) }
        guard let made else { throw .notACommit(self) }
        return History(version: version, made: made, component: component)
    }

    /// The tags a baseline covers, once its tag is read (or the one `audit` proposes).
    struct History {
        let version: SemanticVersion
        /// When the baseline tag was made, in seconds.
        let made: Int64
        /// The namespace it covers: the caller asks only about that namespace's tags.
        let component: TagComponent

        /// Whether the existing tag `name`, made at `made`, is history. A guarded tag that names
        /// no version (`release.onlyVersionTags`) is history when it was made no later.
        func covers(_ name: String, made tagMade: Int64?) -> Bool {
            guard let tagMade, tagMade <= made else { return false }
            guard let version = Baseline.spelledVersion(of: name, in: component) else { return true }
            return SemanticVersion.compare(version, self.version) <= 0
        }
    }

    /// The version a tag of `component` spells after the component's stem, read leniently.
    static func spelledVersion(of name: String, in component: TagComponent) -> SemanticVersion? {
        let text = name.dropFirst(component.stem.count)
        return TagName(String(text)).version ?? TagName.normalizedVersion(of: text)
    }

    /// Whether a version tag could be history (its version is at or below the baseline's),
    /// before reading any date: `ci` on a newer tag never needs the baseline tag.
    func mayCover(_ name: String) -> Bool {
        guard let version = Self.spelledVersion(of: name, in: component) else { return true }
        return SemanticVersion.compare(version, self.version) <= 0
    }
}

extension Settings {
    /// The baseline that covers the tag `name`: its component's (nil when that component has
    /// none: `release.baseline` never covers a component's tags), else `release.baseline`.
    func baseline(forTag name: String) -> Baseline? {
        guard let component = tagNaming.component(claiming: name) else { return baseline }
        return component.name.flatMap { componentBaselines[$0] }
    }

    /// Every baseline in force: `release.baseline` first, then the components' in their order.
    public var baselines: [Baseline] {
        [baseline].compactMap { $0 } + components.compactMap { $0.name.flatMap { componentBaselines[$0] } }
    }

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
            "\(baseline.key) = \(baseline.tag) (\(baseline.source)) names no tag of this repository, so the history it accepts is unknown. Fetch the tags (`git fetch --tags origin`), or set it to an existing release tag (`release-guardian audit --write-baseline` writes the highest)."
        case .notACommit(let baseline):
            "\(baseline.key) = \(baseline.tag) (\(baseline.source)) names a tag that points at no commit, so when it was made is unknown. Set it to a release tag of a commit (`release-guardian audit --write-baseline` writes the highest)."
        case .read(let error):
            "git: \(error.message)"
        }
    }
}
