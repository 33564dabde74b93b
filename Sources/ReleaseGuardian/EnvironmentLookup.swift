import Git
import GitFiles

/// Which environment a ref deploys to, with the version it carries and the targets.
public struct Deployment: Equatable, Sendable, Encodable {
    public let ref: String
    public let environment: String?
    /// The component of a component's release tag or rollback branch (`google-gax`); nil for
    /// the plain `v` tags and for other refs.
    public let component: String?
    /// The SemVer version of a release tag or rollback branch, without the `v` (or the prefix).
    public let version: String?
    public let targets: [DeployTarget]
    /// The line of a floating tag (`7` for `v7`): an alias, which deploys nowhere itself.
    public let floatingLine: String?

    public init(ref: String, settings: Settings) {
        self.ref = ref
        let naming = settings.tagNaming
        let environment = settings.environments.first { $0.matches(ref, naming: naming) }
        self.environment = environment?.name
        let release = ReleaseRef(ref, naming: naming)
        component = release?.component.name
        version = release?.version.description
        targets = environment?.targets ?? []
        floatingLine =
            if naming.floatingTags, let name = RefName.tagName(of: ref), case .floating(let tag) = TagName(name, naming: naming) {
                tag.lineName
            } else {
                nil
            }
    }

    /// Why a ref deploys nowhere, when there is more to say than "the map names it nowhere".
    public var note: String? {
        floatingLine.map {
            "\(RefName.short(ref)) is a floating tag, an alias of the highest release of line \($0): it deploys nowhere itself; that release's own tag does"
        }
    }

    // `environment`, `component` and `version` are written as null, not left out, when there are none.
    public func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case ref, environment, component, version, targets }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(ref, forKey: .ref)
        try container.encode(environment, forKey: .environment)
        try container.encode(component, forKey: .component)
        try container.encode(version, forKey: .version)
        try container.encode(targets, forKey: .targets)
    }

    /// `KEY=value` lines for a dotenv file (GitLab's `artifacts:reports:dotenv`).
    public var dotenv: String {
        "RELEASE_GUARDIAN_ENVIRONMENT=\(environment ?? "")\nRELEASE_GUARDIAN_VERSION=\(version ?? "")\n"
            + "RELEASE_GUARDIAN_COMPONENT=\(component ?? "")\n"
    }

    /// Lines for `$GITHUB_OUTPUT`.
    public var githubOutputs: String {
        "environment=\(environment ?? "")\nversion=\(version ?? "")\ncomponent=\(component ?? "")\n"
    }

    /// `export` lines a shell can `eval`.
    public var shellExports: String {
        "export RELEASE_GUARDIAN_ENVIRONMENT=\(shellQuoted(environment ?? ""))\n"
            + "export RELEASE_GUARDIAN_VERSION=\(shellQuoted(version ?? ""))\n"
            + "export RELEASE_GUARDIAN_COMPONENT=\(shellQuoted(component ?? ""))\n"
    }
}

/// Turns what a user or a CI gives as a ref into a full ref name.
public enum RefResolver {
    /// `refs/…` is taken as it is (CI variables name refs that may not exist locally); a short
    /// name is resolved as git does (`main` → `refs/heads/main`, `v1.2.0` → `refs/tags/v1.2.0`);
    /// no name means the CI's ref (read with `variable`), else the branch HEAD names.
    public static func resolve(
        _ given: String?, in repository: any RepositoryReading,
        environment variable: (String) -> String?
    ) throws(RefError) -> String {
        if let given {
            if given.hasPrefix("refs/") {
                guard RefNameFormat.isValid(given) else { throw .invalid(given) }
                return given
            }
            let found: String?
            do { found = try repository.fullReferenceName(for: given) } catch { throw .read(error) }
            guard let found else { throw .notFound(given) }
            return found
        }
        if let platform = CIPlatform.detect(variable) {
            if let ref = platform.ref(in: variable) { return ref }
            // A GitLab pipeline without CI_COMMIT_TAG builds a branch (a merge request's, say):
            // its name is never looked up as a short name, where a tag of that name would win.
            if platform == .gitlab, let name = variable("CI_COMMIT_REF_NAME"), !name.isEmpty {
                let ref = RefName.branch(name)
                guard RefNameFormat.isValid(ref) else { throw .invalid(ref) }
                return ref
            }
        }
        let head: String?
        do { head = try repository.headBranch() } catch { throw .read(error) }
        guard let head else { throw .detachedHead }
        return head
    }
}

public enum RefError: Error, CustomStringConvertible {
    case invalid(String)
    case notFound(String)
    case detachedHead
    case read(ReadError)

    public var description: String {
        switch self {
        case .invalid(let ref): "'\(ref)' is not a valid ref name"
        case .notFound(let name): "no branch or tag named '\(name)' in this repository (fetch it, or give the full ref name refs/…)"
        case .detachedHead: "HEAD is detached, so there is no current branch: give the ref (`release-guardian env v1.2.0`)"
        case .read(let error): "git: \(error.message)"
        }
    }
}
