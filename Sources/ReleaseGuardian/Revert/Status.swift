import Dispatch
import Foundation
import Git

/// `status`: what runs on every target now, read from the targets themselves (as `ls-remote`
/// would), beside the ledger's last record, with the warnings a team acts on. The targets are
/// the truth; where the ledger disagrees, the disagreement is shown.
public struct StatusReport: Encodable, Sendable {
    public struct Target: Encodable, Sendable {
        public let target: String
        public let branch: String
        /// The commit the target's branch is at; nil when it has none or cannot be reached.
        public let commit: String?
        /// The release tags at that commit, else `main@<short>` style label.
        public let label: String?
        /// Why the target could not be read (never shown as "nothing deployed").
        public let unreachable: String?
        /// The ledger's last record that put something on this target.
        public let lastRecord: Record?
    }

    public struct Record: Encodable, Sendable {
        public let action: String
        public let tag: String?
        public let commit: String
        public let who: String
        public let when: String
        public let reason: String?
    }

    public struct EnvironmentStatus: Encodable, Sendable {
        public let environment: String
        public let targets: [Target]
        public let warnings: [String]
    }

    public let environments: [EnvironmentStatus]

    public var warnings: [String] { environments.flatMap(\.warnings) }
    public var hasUnreachableTarget: Bool { environments.contains { $0.targets.contains { $0.unreachable != nil } } }

    /// Every environment with targets (or only `only`), each target read in parallel.
    public static func read(from directory: String, only: String?, environment: [String: String]) throws(StatusError) -> StatusReport {
        let repository: Repository
        do { repository = try Repository.discover(from: directory) } catch { throw .repository(.git(error)) }
        let settings: Settings
        do { settings = try Settings.load(for: repository) } catch { throw .configuration(error) }
        // All environments that have targets, or the one asked for.
        let chosen = settings.environments.filter { environment in
            if let only { return environment.name == only }
            return !environment.targets.isEmpty
        }
        if let only, chosen.isEmpty { throw .unknownEnvironment(only, known: settings.environments.map(\.name)) }
        let transport = TransportPolicy(settings: settings, environment: environment).options()
        let gitDirectory = repository.gitDirectory

        // Six targets over SSH take about as long as the slowest: one thread, and one libgit2
        // repository handle, per target.
        let jobs = chosen.flatMap { environment in environment.targets.map { (environment.name, $0) } }
        let heads = ConcurrentResults<TargetHead>(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let target = jobs[index].1
            let remote: Remote
            do throws(GitError) { remote = try Remote(target.remote, in: try Repository.open(at: gitDirectory)) } catch {
                heads[index] = .unreachable(error.message)
                return
            }
            do throws(RemoteError) {
                let id = try remote.heads(options: transport).first { $0.name == RefName.branch(target.branch) }?.id
                heads[index] = .running(id)
            } catch {
                heads[index] = .unreachable(TransportPolicy.explain(error))
            }
        }

        let reader = RepositoryReader(repository)
        let records = Ledger.deployments(
            (try? Ledger(repository: repository, transport: transport, sourceRemote: "origin").records(limit: 2_000)) ?? [])
        var report: [EnvironmentStatus] = []
        var index = 0
        for environment in chosen {
            var targets: [Target] = []
            let done = records.filter { $0.environment == environment.name && $0.state == .done }
            for target in environment.targets {
                defer { index += 1 }
                let display = Secrets.redacted(target.remote)
                switch heads[index]! {
                case .unreachable(let why):
                    targets.append(
                        Target(target: display, branch: target.branch, commit: nil, label: nil, unreachable: why, lastRecord: nil))
                case .running(let id):
                    let last =
                        done.first { record in record.targets.contains { $0.target == target.description || $0.target == display } }
                        ?? done.first
                    targets.append(
                        Target(
                            target: display, branch: target.branch, commit: id?.hex,
                            label: id.map { label(for: $0, reader: reader, settings: settings) },
                            unreachable: nil,
                            lastRecord: last.map {
                                Record(action: $0.action, tag: $0.tag, commit: $0.commit, who: $0.who, when: $0.when, reason: $0.reason)
                            }))
                }
            }
            report.append(
                EnvironmentStatus(
                    environment: environment.name, targets: targets,
                    warnings: warnings(environment, targets: targets, records: done, reader: reader, repository: repository)))
        }
        return StatusReport(environments: report)
    }

    /// The release tags at `commit`, else `<main>@<short>`.
    static func label(for commit: ObjectID, reader: RepositoryReader, settings: Settings) -> String {
        let tags = ((try? reader.tagNames(pointingAt: [commit]))?[commit] ?? []).filter { TagName($0).version != nil }.sorted()
        return tags.isEmpty ? "\(RefName.short(settings.mainBranch))@\(commit.short)" : tags.joined(separator: ", ")
    }

    /// Drift, outside change, pending.
    static func warnings(
        _ environment: Environment, targets: [Target], records: [LedgerRecord], reader: RepositoryReader, repository: Repository
    ) -> [String] {
        var warnings: [String] = []
        let running = Set(targets.compactMap(\.commit))
        if running.count > 1 {
            warnings.append(
                "drift: the targets of \(environment.name) run different commits ("
                    + targets.map { "\($0.target) \($0.branch): \($0.commit.map { String($0.prefix(7)) } ?? "nothing")" }.joined(
                        separator: "; ") + ")")
        }
        if !records.isEmpty {
            let recorded = Set(records.flatMap { record in [record.commit] + record.targets.compactMap(\.after) })
            for target in targets {
                if let commit = target.commit, !recorded.contains(commit) {
                    warnings.append(
                        "outside change: \(target.target) \(target.branch) runs \(commit.prefix(7)), which no ledger record put there (pushed by hand?)"
                    )
                }
            }
        }
        // Pending: the newest commit the environment's ref names, ahead of what runs.
        if running.count == 1, let runningHex = running.first, let runningID = ObjectID(hex: runningHex),
            let wanted = newestCommit(of: environment, reader: reader), wanted != runningID,
            (try? reader.isAncestor(runningID, of: wanted, many: false)) == true
        {
            let ahead = (try? repository.commits(from: wanted, excluding: runningID, limit: 10_000).count) ?? 0
            warnings.append(
                "pending: \(environment.name)'s ref is \(ahead) commit\(ahead == 1 ? "" : "s") ahead of what runs (\(wanted.short))")
        }
        return warnings
    }

    /// What the environment would run if deployed now: its branch (as the remote has it, else
    /// locally), or its highest final release tag.
    static func newestCommit(of environment: Environment, reader: RepositoryReader) -> ObjectID? {
        for pattern in environment.refs {
            switch pattern {
            case .exact(let ref):
                let names = RefName.branchName(of: ref).map { [RefName.remoteBranch("origin", $0), ref] } ?? [ref]
                for name in names {
                    if let id = try? reader.target(ofReference: name), let commit = try? reader.peeledCommit(of: id) { return commit }
                }
            case .releaseTags:
                var best: (SemanticVersion, String)?
                try? reader.forEachTagName { bytes in
                    let name = String(decoding: bytes, as: UTF8.self)
                    if let version = TagName(name).version, !version.isPrerelease, best.map({ version > $0.0 }) ?? true {
                        best = (version, name)
                    }
                }
                if let best, let id = try? reader.target(ofReference: RefName.tag(best.1)) { return try? reader.peeledCommit(of: id) }
            case .glob:
                continue
            }
        }
        return nil
    }

    /// For people: one block per environment.
    public var text: String {
        var lines: [String] = []
        for environment in environments {
            lines.append("\(environment.environment):")
            for target in environment.targets {
                let what =
                    target.unreachable.map { "cannot be reached: \($0)" }
                    ?? target.commit.map { "\($0.prefix(7)) (\(target.label ?? ""))" } ?? "nothing deployed (no branch \(target.branch))"
                lines.append("  \(target.target) \(target.branch): \(what)")
                if let record = target.lastRecord {
                    lines.append(
                        "    last recorded: \(record.action) \(record.tag ?? String(record.commit.prefix(7))) by \(oneLine(record.who)) at \(record.when)"
                            + (record.reason.map { " (\(oneLine($0)))" } ?? ""))
                }
            }
            for warning in environment.warnings { lines.append("  warning: \(warning)") }
        }
        return lines.isEmpty
            ? "No environment has a target: add `target = REMOTE BRANCH` to an [environment] in .release-guardian."
            : lines.joined(separator: "\n")
    }

    private func oneLine(_ text: String) -> String { String(text.map { $0.isNewline ? " " : $0 }) }
}

/// What reading one target's branch gave.
enum TargetHead: Sendable {
    case running(ObjectID?)
    case unreachable(String)
}

/// Results written by concurrent workers, one slot each.
final class ConcurrentResults<Value>: @unchecked Sendable {
    private var values: [Value?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    subscript(index: Int) -> Value? {
        get { lock.withLock { values[index] } }
        set { lock.withLock { values[index] = newValue } }
    }
}

/// Why `status` cannot run.
public enum StatusError: Error, CustomStringConvertible {
    case repository(ReadError)
    case configuration(ConfigurationError)
    case unknownEnvironment(String, known: [String])

    public var description: String {
        switch self {
        case .repository(let error): error.openingDescription
        case .configuration(let error): "\(error)"
        case .unknownEnvironment(let name, let known): "no environment named \(name) (known: \(known.joined(separator: ", ")))"
        }
    }
}
