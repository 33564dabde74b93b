import Foundation
import Git

/// A deployment environment: which refs deploy to it, and the git remotes that receive them.
public struct Environment: Equatable, Sendable {
    public let name: String
    public let refs: [RefPattern]
    public let targets: [DeployTarget]
    /// `rehearseIn`: a rollback here must have been done in that environment first (the runbook's
    /// "test the rollback procedure in preprod before applying it in production").
    public var rehearseIn: String?
    /// How recent that rehearsal must be, in seconds (`rehearsalMaxAge`, default 24h).
    public var rehearsalMaxAge = 86_400
    /// `before`: shell commands run after the confirmation and before anything changes (a
    /// database dump, a schema downgrade); one failing stops everything.
    public var before: [StepCommand] = []
    /// `after`: shell commands run once every target is pushed (smoke checks); one failing
    /// marks the deployment "verification failed".
    public var after: [StepCommand] = []

    public init(name: String, refs: [RefPattern], targets: [DeployTarget] = []) {
        self.name = name
        self.refs = refs
        self.targets = targets
    }

    /// SPEC.md's map: main → preprod; a final release tag (or its `release/vX.Y.Z` rollback
    /// branch) → prod.
    static func defaults(mainBranch: String) -> [Environment] {
        [Environment(name: "preprod", refs: [.exact(mainBranch)]), Environment(name: "prod", refs: [.releaseTags])]
    }

    /// Whether this environment takes `ref`, its tags read with `naming`. A floating tag (`v7`)
    /// is an alias of its line's highest release, which is what deploys: it matches nothing.
    public func matches(_ ref: String, naming: TagNaming) -> Bool {
        if naming.floatingTags, let name = RefName.tagName(of: ref), case .floating = TagName(name, naming: naming) { return false }
        return refs.contains { $0.matches(ref, naming: naming) }
    }

    /// `24h`, `90m`, `2d`, `30s` or plain seconds; nil for anything else.
    static func duration(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        let (number, unit) =
            trimmed.last.map { units[String($0)] != nil ? (trimmed.dropLast(), units[String($0)]!) : (Substring(trimmed), 1) } ?? ("", 1)
        guard let value = Int(number), value > 0, value <= 365 * 86_400 / unit else { return nil }
        return value * unit
    }

    /// `[environment "NAME"]` sections in configuration order, or nil when there are none.
    static func configured(
        in values: RawValues, mainBranch: String, components: [TagComponent]
    ) throws(ConfigurationError) -> [Environment]? {
        var names: [String] = []
        for key in values.keys where key.hasPrefix("environment.") {
            let parts = key.dropFirst("environment.".count)
            guard let dot = parts.lastIndex(of: ".") else { continue }
            let name = String(parts[..<dot])
            if !names.contains(name) { names.append(name) }
        }
        guard !names.isEmpty else { return nil }
        var environments: [Environment] = []
        for name in names {
            // The name is part of ref names (backups, the outgoing push): one valid component.
            guard !name.contains("/"), RefNameFormat.isValid("refs/release-guardian/backup/\(name)/x") else {
                throw .invalidValue(
                    key: "environment.\(name)", value: name, source: "the configuration",
                    expected: "an environment name that is one valid ref name component (letters, digits, - _ .; no spaces, slashes or ..)")
            }
            var refs: [RefPattern] = []
            for entry in values.all("environment.\(name).ref") {
                refs.append(try RefPattern(entry.value, key: "environment.\(name).ref", source: entry.source, components: components))
            }
            if refs.isEmpty {
                // The well-known names keep their default refs, so a section may only add targets.
                switch name {
                case "preprod": refs = [.exact(mainBranch)]
                case "prod": refs = [.releaseTags]
                default:
                    throw .invalidValue(
                        key: "environment.\(name).ref", value: "", source: "the configuration",
                        expected: "at least one ref (a full ref name, a glob, release-tags or release-tags:COMPONENT)")
                }
            }
            var targets: [DeployTarget] = []
            for entry in values.all("environment.\(name).target") {
                targets.append(try DeployTarget(entry.value, key: "environment.\(name).target", source: entry.source))
            }
            var environment = Environment(name: name, refs: refs, targets: targets)
            if let rehearse = values.last("environment.\(name).rehearseIn") {
                let other = rehearse.value.trimmingCharacters(in: .whitespaces)
                guard !other.isEmpty, other != name, names.contains(other) else {
                    throw .invalidValue(
                        key: "environment.\(name).rehearseIn", value: rehearse.value, source: rehearse.source,
                        expected: "another environment of this file (\(names.filter { $0 != name }.joined(separator: ", ")))")
                }
                environment.rehearseIn = other
            }
            if let age = values.last("environment.\(name).rehearsalMaxAge") {
                guard let seconds = Self.duration(age.value) else {
                    throw .invalidValue(
                        key: "environment.\(name).rehearsalMaxAge", value: age.value, source: age.source,
                        expected: "a duration such as 24h, 90m, 2d or 3600 (seconds)")
                }
                environment.rehearsalMaxAge = seconds
            }
            for key in ["before", "after"] {
                let commands = try values.all("environment.\(name).\(key)").map { (entry) throws(ConfigurationError) -> StepCommand in
                    let text = entry.value.trimmingCharacters(in: .whitespaces)
                    guard !text.isEmpty, !text.contains("\0") else {
                        throw .invalidValue(
                            key: "environment.\(name).\(key)", value: entry.value, source: entry.source, expected: "a shell command")
                    }
                    return StepCommand(command: text, source: entry.source)
                }
                if key == "before" { environment.before = commands } else { environment.after = commands }
            }
            environments.append(environment)
        }
        return environments
    }
}

/// Which refs an environment takes.
public enum RefPattern: Equatable, Sendable, CustomStringConvertible {
    /// Final release tags (`vX.Y.Z`, no pre-release) and their `release/vX.Y.Z` rollback branches.
    case releaseTags
    /// `release-tags:NAME`: the same for a component's tags (`google-gax-v5.0.4`,
    /// `release/google-gax-v5.0.4`).
    case componentReleaseTags(TagComponent)
    case exact(String)
    /// fnmatch(3) on the full ref name. A pre-release tag matches only a glob that names a
    /// pre-release part (a `-` in its last component, as in `refs/tags/v*-rc.*`).
    case glob(String)

    init(_ text: String, key: String, source: String, components: [TagComponent]) throws(ConfigurationError) {
        let value = text.trimmingCharacters(in: .whitespaces)
        if value == "release-tags" {
            self = .releaseTags
        } else if value.hasPrefix("release-tags:") {
            let name = value.dropFirst("release-tags:".count).trimmingCharacters(in: .whitespaces)
            guard let component = components.first(where: { $0.name == name }) else {
                let known = components.compactMap(\.name)
                throw .invalidValue(
                    key: key, value: text, source: source,
                    expected: known.isEmpty
                        ? "release-tags:COMPONENT naming a [component \"COMPONENT\"] section with its prefix (there is none)"
                        : "release-tags:COMPONENT with a component of this configuration (\(known.joined(separator: ", ")))")
            }
            self = .componentReleaseTags(component)
        } else if value.hasPrefix("refs/") {
            self = value.contains(where: { "*?[".contains($0) }) ? .glob(value) : .exact(value)
        } else {
            throw .invalidValue(
                key: key, value: text, source: source,
                expected: "a full ref name (refs/heads/main), a glob (refs/tags/v*), release-tags or release-tags:COMPONENT")
        }
    }

    public var description: String {
        switch self {
        case .releaseTags: "release-tags"
        case .componentReleaseTags(let component): "release-tags:\(component.name ?? "")"
        case .exact(let ref), .glob(let ref): ref
        }
    }

    func matches(_ ref: String, naming: TagNaming) -> Bool {
        switch self {
        case .releaseTags:
            guard let release = ReleaseRef(ref, naming: naming), release.component == .plain else { return false }
            return !release.version.isPrerelease
        case .componentReleaseTags(let component):
            guard let release = ReleaseRef(ref, naming: naming), release.component == component else { return false }
            return !release.version.isPrerelease
        case .exact(let name):
            return ref == name
        case .glob(let pattern):
            guard fnmatch(pattern, ref, 0) == 0 else { return false }
            guard let release = ReleaseRef(ref, naming: naming), release.version.isPrerelease else { return true }
            // After a component's stem: `google-gax-v*` names no pre-release, `google-gax-v*-rc.*` does.
            guard var last = pattern.split(separator: "/").last else { return false }
            if last.hasPrefix(release.component.stem) { last = last.dropFirst(release.component.stem.count) }
            return last.contains("-")
        }
    }
}

/// A git remote (name or URL) and the branch a deployment pushes to: `prod-interface master`.
public struct DeployTarget: Equatable, Sendable, Encodable, CustomStringConvertible {
    public let remote: String
    public let branch: String

    public init(remote: String, branch: String) {
        self.remote = remote
        self.branch = branch
    }

    init(_ text: String, key: String, source: String) throws(ConfigurationError) {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count == 2 else {
            throw .invalidValue(key: key, value: text, source: source, expected: "REMOTE BRANCH, e.g. prod-interface master")
        }
        self.init(remote: String(words[0]), branch: String(words[1]))
    }

    /// Credentials in a URL never reach the output.
    public var description: String { "\(redacted(remote)) \(branch)" }

    /// As printed (`env --format json`): the remote without its credentials.
    public func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case remote, branch }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(redacted(remote), forKey: .remote)
        try container.encode(branch, forKey: .branch)
    }
}

/// A ref that carries a release version: a release tag, or a `release/vX.Y.Z` branch (of any
/// component: `google-gax-v5.0.4`, `release/google-gax-v5.0.4`).
public struct ReleaseRef: Sendable {
    public let version: SemanticVersion
    public let component: TagComponent

    public init?(_ ref: String, naming: TagNaming) {
        // The tag itself, or the tag a `release/<tag>` branch is named after.
        guard
            let name = RefName.tagName(of: ref)
                ?? RefName.branchName(of: ref).flatMap({ $0.hasPrefix("release/") ? String($0.dropFirst(8)) : nil }),
            case .release(let version, let component) = TagName(name, naming: naming)
        else { return nil }
        self.version = version
        self.component = component
    }
}

/// A `before` or `after` command of an environment, and the file it came from (shown in the plan:
/// a command from a committed `.release-guardian` is code anyone with push access wrote).
public struct StepCommand: Equatable, Sendable {
    public let command: String
    public let source: String
}
