import Foundation
import Git

/// The policy settings of one repository.
///
/// Read from `.release-guardian` at the repository root (git-config syntax, like `.gitmodules`),
/// then from the repository's git config under the `release-guardian.` prefix, which overrides
/// the file key by key: `git config release-guardian.release.allowSkip true`.
public struct Settings: Sendable, Equatable {
    /// The main branch, as a full ref name.
    public var mainBranch = RefName.branch("main")
    /// Branches where hotfix tags of older lines may live, as globs on full ref names
    /// (`release.maintenance` may repeat: real histories mix `release/v1.4`, `12.x`, `release_2_x`).
    public var maintenanceBranches = [RefName.branch("release/v*")]
    /// Off by default: release-please and GitHub Releases make lightweight tags.
    public var requireAnnotated = false
    public var allowSkip = false
    public var onlyVersionTags = false
    /// Non-ASCII tag names that do not read as versions are allowed (look-alikes never are).
    public var allowNonASCIITags = false
    /// `release.floatingTags`: `vN` and `vN.M` may exist and move, to their line's highest release.
    public var floatingTags = false
    /// `[component "NAME"] prefix = NAME-v`: monorepo components, each with its own lines.
    public var components: [TagComponent] = []
    /// Where refs deploy; SPEC.md's defaults unless `[environment "…"]` sections say otherwise.
    public var environments: [Environment]
    /// The SSH private key for deploy remotes (`deploy.sshKey`), instead of the agent and the
    /// default keys.
    public var deploySSHKey: String?
    /// PEM certificate authorities for HTTPS deploy remotes (`deploy.caFile`), instead of the
    /// system's.
    public var deployCAFile: String?
    /// Where the team is told of deployments (`notify.*`).
    public var notify = NoticeSettings()
    /// `[migrations]`: the tool and files whose gap a rollback shows; nil when not configured.
    public var migrations: MigrationSettings?
    /// `release.baseline = vX.Y.Z`: the history accepted as it is (`audit --write-baseline`);
    /// nil when the team has not set one.
    public var baseline: Baseline?
    /// `[component "NAME"] baseline = NAME-vX.Y.Z`, by component name: each component's history.
    public var componentBaselines: [String: Baseline] = [:]

    /// How tags are read here: the components and whether floating tags are allowed.
    public var tagNaming: TagNaming { TagNaming(components: components, floatingTags: floatingTags) }

    public static let fileName = ".release-guardian"
    /// A policy file larger than this is refused rather than read: a real one is a few hundred
    /// bytes, and a pushed file of millions of keys would otherwise exhaust the hook's memory.
    public static let maximumFileSize = 256 * 1024
    static let gitConfigPrefix = "release-guardian."

    public init() {
        environments = Environment.defaults(mainBranch: mainBranch)
    }

    /// Loads the settings that apply to `repository`: a clone's `.release-guardian` and git
    /// config; for a bare repository (a server), `serverPolicy(for:)`.
    public static func load(for repository: Repository) throws(ConfigurationError) -> Settings {
        if repository.isBare { return try serverPolicy(for: repository).settings }
        var values = RawValues()
        if let root = repository.workingDirectory {
            let path = root + fileName
            if FileManager.default.fileExists(atPath: path) {
                values.merge(try read(file: path), source: path)
            }
        }
        try values.merge(gitConfigOf: repository)
        return try Settings(values)
    }

    /// The settings a command that judges or deploys a ref applies: in a pipeline, the
    /// `pipelinePolicy`; elsewhere the working tree's, as `load(for:)` reads them.
    public static func load(
        for repository: Repository, reader: any RepositoryReading, remote: String, environment: [String: String]
    ) throws(ConfigurationError) -> Settings {
        guard CIPlatform.isPipeline(environment) else { return try load(for: repository) }
        let main = CIPlatform.detect(environment)?.defaultBranch { environment[$0] } ?? "main"
        return try pipelinePolicy(for: repository, reader: reader, remote: remote, defaultBranch: main)
    }

    /// The policy a pipeline applies: `.release-guardian` as committed on the main branch, never
    /// the checkout's, which is the ref being judged and was written by whoever pushed it (a
    /// tag's commit could otherwise carry `allowSkip = true`, or another `release.main`); then
    /// the runner's git config. Main is `defaultBranch` (the platform's, else `main`), read as
    /// `remote`'s (what the pipeline fetched; a local branch only when there is none: a reused
    /// build directory keeps local branches an earlier job left); when its file names another
    /// main, that one's file, which must name itself.
    static func pipelinePolicy(
        for repository: Repository, reader: any RepositoryReading, remote: String, defaultBranch: String
    ) throws(ConfigurationError) -> Settings {
        var main = RefName.branch(defaultBranch)
        for _ in 0..<2 {
            var values = RawValues()
            let refs = [RefName.remoteBranch(remote, RefName.short(main)), main]
            var found: String?
            do throws(ReadError) {
                for ref in refs where found == nil {
                    if try reader.target(ofReference: ref) != nil { found = ref }
                }
            } catch {
                throw .unreadable(source: main, detail: error.message)
            }
            guard let found else {
                throw .unreadable(
                    source: "the main branch",
                    detail:
                        "neither \(refs.joined(separator: " nor ")) is in this clone, and in a pipeline the policy is read from main (never from the ref being judged). Fetch it: `git fetch \(shellQuoted(remote)) \(shellQuoted(RefName.short(main)))`"
                )
            }
            if let committed = try committedEntries(onBranch: found, in: reader) {
                values.merge(committed.entries, source: committed.source)
            }
            try values.merge(gitConfigOf: repository)
            let settings = try Settings(values)
            if settings.mainBranch == main { return settings }
            main = settings.mainBranch
        }
        throw .unreadable(
            source: "the main branch",
            detail:
                "\(defaultBranch)'s .release-guardian names \(RefName.short(main)) as release.main, whose own names yet another: the policy cannot be told. Make release.main the branch the file is committed on"
        )
    }

    /// The policy file of a server repository, beside its `config`: written by
    /// `install --server`, changed only by the server's owner.
    public static let serverPolicyFileName = "release-guardian.config"

    /// The policy of a server repository, from what its owner controls and never from a pushed
    /// ref: the policy file, then the repository's git config (`release-guardian.…`). The
    /// `.release-guardian` committed on main may only tighten it (annotated tags required,
    /// skips refused, only version tags); one that cannot be read is ignored with a warning, so
    /// a bad file on main never blocks the pushes that fix it.
    public static func serverPolicy(for repository: Repository) throws(ConfigurationError) -> (settings: Settings, warnings: [String]) {
        var values = RawValues()
        let policyFile = repository.commonDirectory + serverPolicyFileName
        if FileManager.default.fileExists(atPath: policyFile) {
            values.merge(try read(file: policyFile), source: policyFile)
        }
        try values.merge(gitConfigOf: repository)
        var settings = try Settings(values)
        var warnings: [String] = []
        do {
            if let committed = try committedEntries(onBranch: settings.mainBranch, in: LibGit2Reader(repository)) {
                // What the file sets, over the server's values: a key it leaves out changes nothing.
                var withCommitted = values
                withCommitted.merge(committed.entries, source: committed.source)
                settings.tighten(with: try Settings(withCommitted))
            }
        } catch {
            warnings.append("\(error) It is ignored: the server's policy applies (\(policyFile), git config release-guardian.…).")
        }
        return (settings, warnings)
    }

    /// `.release-guardian` as committed at `branch`'s tip (or at `commit`), parsed and validated
    /// by git itself (`git config --blob`, no temporary file); nil when there is none.
    public static func committedFile(
        onBranch branch: String, at commit: ObjectID? = nil,
        in repository: any RepositoryReading
    ) throws(ConfigurationError) -> Settings? {
        guard let committed = try committedEntries(onBranch: branch, at: commit, in: repository) else { return nil }
        var values = RawValues()
        values.merge(committed.entries, source: committed.source)
        return try Settings(values)
    }

    /// The entries of `.release-guardian` as committed at `branch`'s tip (or at `commit`), read
    /// by git itself, and where they come from; nil when there is no such file.
    static func committedEntries(
        onBranch branch: String, at commit: ObjectID? = nil,
        in repository: any RepositoryReading
    ) throws(ConfigurationError) -> (entries: [Config.Entry], source: String)? {
        let source = "\(RefName.short(branch)):\(fileName)"
        let entries: [Config.Entry]
        do {
            guard let tip = try commit ?? repository.target(ofReference: branch),
                let content = try repository.fileContent(fileName, at: tip)
            else { return nil }
            if content.count > maximumFileSize {
                throw ConfigurationError.malformedFile(
                    path: source, detail: "it is \(content.count) bytes, more than the \(maximumFileSize) a policy file may have")
            }
            entries = try GitCommandLine.configEntries(blob: "\(tip.hex):\(fileName)", gitDirectory: repository.commonDirectory)
        } catch let error as GitCommandLine.Failure {
            throw .malformedFile(path: source, detail: gitConfigError(error.output, source: source))
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw .unreadable(source: source, detail: "\(error)")
        }
        return (entries, source)
    }

    /// The settings the rules use, in git-config words, for people to check.
    public var ruleSummary: String {
        "release.main = \(RefName.short(mainBranch)), release.maintenance = \(maintenanceBranches.map(RefName.short).joined(separator: " ")), "
            + "requireAnnotated = \(requireAnnotated), allowSkip = \(allowSkip), onlyVersionTags = \(onlyVersionTags)"
            + (floatingTags ? ", floatingTags = true" : "")
            + components.map { ", component \($0.name ?? "") prefix = \($0.prefix)" }.joined()
            + (baseline.map { ", baseline = \($0.tag)" } ?? "")
            + components.compactMap { $0.name.flatMap { componentBaselines[$0] }.map { ", \($0.key) = \($0.tag)" } }.joined()
    }

    /// The rule settings in which `self` is looser than `other`, in git-config words (empty when
    /// it is at least as strict everywhere).
    public func loosenings(comparedTo other: Settings) -> [String] {
        var found: [String] = []
        if mainBranch != other.mainBranch { found.append("release.main") }
        if maintenanceBranches != other.maintenanceBranches { found.append("release.maintenance") }
        if !requireAnnotated && other.requireAnnotated { found.append("release.requireAnnotated") }
        if allowSkip && !other.allowSkip { found.append("release.allowSkip") }
        if !onlyVersionTags && other.onlyVersionTags { found.append("release.onlyVersionTags") }
        if allowNonASCIITags && !other.allowNonASCIITags { found.append("release.allowNonASCIITags") }
        if floatingTags && !other.floatingTags { found.append("release.floatingTags") }
        if let baseline, other.baseline.map({ baseline.version > $0.version }) ?? true { found.append("release.baseline") }
        for (name, baseline) in componentBaselines.sorted(by: { $0.key < $1.key }) {
            let theirs = other.componentBaselines[name]
            if theirs.map({ $0.component != baseline.component || baseline.version > $0.version }) ?? true { found.append(baseline.key) }
        }
        return found
    }

    /// Keeps the stricter of each rule switch: a committed file may tighten a server's policy,
    /// never loosen it. Branch names and environments stay the server's; components are added.
    mutating func tighten(with committed: Settings) {
        let serverAllowsOtherTags = !onlyVersionTags
        requireAnnotated = requireAnnotated || committed.requireAnnotated
        allowSkip = allowSkip && committed.allowSkip
        onlyVersionTags = onlyVersionTags || committed.onlyVersionTags
        allowNonASCIITags = allowNonASCIITags && committed.allowNonASCIITags
        floatingTags = floatingTags && committed.floatingTags
        // A component guards tags nothing guarded: the committed file may add one, never
        // change or drop the server's, nor add one that would claim the server's tags. Where the
        // server refuses every tag that is no release (`onlyVersionTags`), a component would let
        // its names in: none is added.
        for component in committed.components
        where serverAllowsOtherTags && !components.contains(where: { $0.name == component.name || $0.overlaps(component) }) {
            components.append(component)
        }
        // A baseline excuses history from being judged again: the lower one excuses less.
        if let committedBaseline = committed.baseline, let baseline, committedBaseline.version < baseline.version {
            self.baseline = committedBaseline
        } else if committed.baseline == nil {
            baseline = nil
        }
        // The same for each component's: lowered (for the server's component), never added
        // (a component the file adds has none), dropped when the file's settings have none.
        for (name, serverBaseline) in componentBaselines {
            guard let committedBaseline = committed.componentBaselines[name] else {
                componentBaselines[name] = nil
                continue
            }
            if committedBaseline.component == serverBaseline.component && committedBaseline.version < serverBaseline.version {
                componentBaselines[name] = committedBaseline
            }
        }
    }

    /// A configuration file as git reads it (the hook's plain reader steps aside to this).
    static func read(file path: String) throws(ConfigurationError) -> [Config.Entry] {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maximumFileSize {
            throw .malformedFile(path: path, detail: "it is \(size) bytes, more than the \(maximumFileSize) a policy file may have")
        }
        do {
            return try GitCommandLine.configEntries(file: path)
        } catch {
            throw .malformedFile(path: path, detail: gitConfigError(error.output, source: path))
        }
    }

    /// git's "fatal: bad config line 3 in file F" as "bad config line 3 (in F:3)", the form
    /// editors jump to.
    static func gitConfigError(_ message: String, source: String) -> String {
        var text = message.hasPrefix("fatal: ") ? String(message.dropFirst("fatal: ".count)) : message
        if let range = text.range(of: "bad config line "),
            let line = Int(text[range.upperBound...].prefix(while: \.isNumber))
        {
            text = "bad config line \(line) (in \(source):\(line))"
        }
        return text
    }

    init(_ values: RawValues) throws(ConfigurationError) {
        if let main = values.last("release.main") {
            mainBranch = try Self.branchRef(main.value, key: "release.main", source: main.source)
        }
        let globs = values.all("release.maintenance")
        if !globs.isEmpty {
            maintenanceBranches = try globs.map { glob throws(ConfigurationError) in
                try Self.branchRef(glob.value, key: "release.maintenance", source: glob.source, glob: true)
            }
        }
        requireAnnotated = try values.bool("release.requireAnnotated") ?? requireAnnotated
        allowSkip = try values.bool("release.allowSkip") ?? allowSkip
        onlyVersionTags = try values.bool("release.onlyVersionTags") ?? onlyVersionTags
        allowNonASCIITags = try values.bool("release.allowNonASCIITags") ?? allowNonASCIITags
        floatingTags = try values.bool("release.floatingTags") ?? floatingTags
        components = try TagComponent.configured(in: values)
        environments =
            try Environment.configured(in: values, mainBranch: mainBranch, components: components)
            ?? Environment.defaults(mainBranch: mainBranch)
        deploySSHKey = values.last("deploy.sshKey").map { Self.expandingHome($0.value) }
        deployCAFile = values.last("deploy.caFile").map { Self.expandingHome($0.value) }
        notify = try NoticeSettings(values)
        migrations = try MigrationSettings.configured(in: values)
        baseline = try values.last("release.baseline").map { value throws(ConfigurationError) in
            try Baseline(value.value, source: value.source)
        }
        componentBaselines = try Baseline.configured(in: values, components: components)
    }

    static func expandingHome(_ path: String) -> String {
        path.hasPrefix("~/") ? NSHomeDirectory() + path.dropFirst() : path
    }

    /// `main` or `refs/heads/main` → `refs/heads/main`; anything that is not a branch (a tag,
    /// `HEAD`, a name git refuses) is refused: the rules would guard the wrong ref. A glob
    /// (`release.maintenance`) may hold the pattern characters a branch name may not.
    private static func branchRef(_ value: String, key: String, source: String, glob: Bool = false) throws(ConfigurationError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let ref = trimmed.hasPrefix("refs/") ? trimmed : RefName.branch(trimmed)
        guard !trimmed.isEmpty, !trimmed.contains(" "), trimmed != "HEAD", ref.hasPrefix(RefName.headsPrefix),
            glob || RefNameFormat.isValid(ref)
        else {
            throw .invalidValue(
                key: key, value: value, source: source, expected: glob ? "a branch glob such as release/v*" : "a branch name such as main")
        }
        return ref
    }
}

/// Configuration entries with where each came from; later sources override earlier ones.
struct RawValues {
    struct Value {
        let value: String
        let source: String
        /// Written without `=` (true to git).
        var isBareKey = false
    }

    private var byKey: [String: [Value]] = [:]
    /// Keys in the order they first appeared (environments are matched in that order).
    private(set) var keys: [String] = []

    /// Adds the repository's git config under `release-guardian.`, which overrides the files.
    mutating func merge(gitConfigOf repository: Repository) throws(ConfigurationError) {
        do throws(GitError) {
            let overrides = try repository.configuration().entries(matching: "^release-guardian\\.")
                .map {
                    Config.Entry(name: String($0.name.dropFirst(Settings.gitConfigPrefix.count)), value: $0.value, isBareKey: $0.isBareKey)
                }
            merge(overrides, source: "git config (\(Settings.gitConfigPrefix)…)")
        } catch {
            throw .unreadable(source: "the repository's git config", detail: error.message)
        }
    }

    /// Adds one source's entries: for each key it sets, the source's values replace earlier ones.
    mutating func merge(_ entries: [Config.Entry], source: String) {
        var fromSource: [String: [Value]] = [:]
        for entry in entries {
            let key = Self.normalized(entry.name)
            if byKey[key] == nil && fromSource[key] == nil { keys.append(key) }
            fromSource[key, default: []].append(Value(value: entry.value, source: source, isBareKey: entry.isBareKey))
        }
        byKey.merge(fromSource) { _, new in new }
    }

    func all(_ key: String) -> [Value] { byKey[Self.normalized(key)] ?? [] }

    func last(_ key: String) -> Value? { all(key).last }

    /// git's booleans: true/yes/on/1 and false/no/off/0, case-insensitive; a bare key (no `=`)
    /// is true, an empty value (`key =`) false.
    func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let entry = last(key) else { return nil }
        if entry.isBareKey { return true }
        switch entry.value.lowercased() {
        case "true", "yes", "on", "1": return true
        case "", "false", "no", "off", "0": return false
        default: throw .invalidValue(key: key, value: entry.value, source: entry.source, expected: "true or false")
        }
    }

    /// Section and key are case-insensitive in git config, the subsection is not.
    static func normalized(_ name: String) -> String {
        guard let firstDot = name.firstIndex(of: "."), let lastDot = name.lastIndex(of: ".") else { return name.lowercased() }
        if firstDot == lastDot { return name.lowercased() }
        return name[..<firstDot].lowercased() + name[firstDot..<lastDot] + name[lastDot...].lowercased()
    }
}

/// A configuration that cannot be used; exit 2.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedFile(path: String, detail: String)
    case invalidValue(key: String, value: String, source: String, expected: String)
    case unreadable(source: String, detail: String)

    public var description: String {
        switch self {
        case .malformedFile(let path, let detail):
            "\(path) is not valid git-config syntax: \(detail). Fix that line (check it with `git config -f \(shellQuoted(path)) --list`)."
        case .invalidValue(let key, let value, let source, let expected):
            "\(key) = '\(value)' in \(source) is not valid: expected \(expected)."
        case .unreadable(let source, let detail):
            "cannot read \(source): \(detail)"
        }
    }
}
