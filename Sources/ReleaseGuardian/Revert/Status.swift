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
        /// The ref deployed (`refs/heads/main`), when the record names one.
        public let ref: String?
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
        // The settings from the files when they are plain (no git spawned to read
        // .release-guardian: it was 6-13 ms before the first target was asked).
        let open: OpenRepository
        do { open = try OpenRepository.open(from: directory, environment: { environment[$0] }) } catch {
            switch error {
            case .repository(let error): throw .repository(error)
            case .configuration(let error): throw .configuration(error)
            }
        }
        let settings = open.settings
        let reader = open.reader
        let repository: Repository
        do { repository = try reader.repository() } catch { throw .repository(error) }
        // All environments that have targets, or the one asked for.
        let chosen = settings.environments.filter { environment in
            if let only { return environment.name == only }
            return !environment.targets.isEmpty
        }
        if let only, chosen.isEmpty { throw .unknownEnvironment(only, known: settings.environments.map(\.name)) }
        let transport = TransportPolicy(settings: settings, environment: environment).options()
        let gitDirectory = repository.gitDirectory

        // Six targets over SSH take about as long as the slowest: one thread, and one libgit2
        // repository handle, per target, all at once (concurrentPerform runs as many at a time
        // as there are cores: on two, six targets were read in three rounds). The ledger is read
        // the same way, on a thread and a handle of its own, and this thread reads what each
        // environment would run, then, once the targets answered, the tags at what they run: the
        // local reading is done in the time the network takes.
        let jobs = chosen.flatMap { environment in environment.targets.map { (environment.name, $0) } }
        let heads = ConcurrentResults<TargetHead>(count: jobs.count)
        let targetsRead = DispatchGroup()
        for index in jobs.indices {
            targetsRead.enter()
            Thread {
                heads[index] = head(of: jobs[index].1, gitDirectory: gitDirectory, transport: transport)
                targetsRead.leave()
            }.start()
        }
        let ledger = ConcurrentResults<[LedgerRecord]>(count: 1)
        let ledgerRead = DispatchGroup()
        ledgerRead.enter()
        Thread {
            let records = try? Ledger(repository: Repository.open(at: gitDirectory), transport: transport, sourceRemote: "origin")
                .records(limit: 2_000)
            ledger[0] = Ledger.deployments(records ?? [])
            ledgerRead.leave()
        }.start()

        var highestRelease: ObjectID??
        let wanted = chosen.map { environment in
            newestCommit(of: environment, reader: reader) {
                if let known = highestRelease { return known }
                highestRelease = .some(Self.highestRelease(reader: reader))
                return highestRelease!
            }
        }
        targetsRead.wait()

        // The release tags at every commit that runs, in one pass over the tags.
        let runningCommits = Set(
            (0..<jobs.count).compactMap { index -> ObjectID? in
                if case .running(let id) = heads[index]! { return id }
                return nil
            })
        let tagsAt = runningCommits.isEmpty ? [:] : (try? reader.tagNames(pointingAt: runningCommits)) ?? [:]
        ledgerRead.wait()
        let records = ledger[0]!
        var report: [EnvironmentStatus] = []
        var index = 0
        for (position, environment) in chosen.enumerated() {
            var targets: [Target] = []
            // What the tool put there: finished runs, and killed ones whose pushes went through.
            let done = records.filter { $0.environment == environment.name && ($0.state == .done || $0.state == .interrupted) }
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
                            label: id.map { label(for: $0, tags: tagsAt[$0] ?? [], settings: settings) },
                            unreachable: nil,
                            lastRecord: last.map {
                                Record(
                                    action: $0.action, tag: $0.tag, ref: $0.ref, commit: $0.commit, who: $0.who, when: $0.when,
                                    reason: $0.reason)
                            }))
                }
            }
            report.append(
                EnvironmentStatus(
                    environment: environment.name, targets: targets,
                    warnings: warnings(
                        environment, targets: targets, records: done, wanted: wanted[position], reader: reader, repository: repository)
                        + unfinished(records.filter { $0.environment == environment.name && $0.state == .started })))
        }
        return StatusReport(environments: report)
    }

    /// What one target's branch is at, read from the target.
    static func head(of target: DeployTarget, gitDirectory: String, transport: TransportOptions) -> TargetHead {
        let remote: Remote
        do throws(GitError) { remote = try Remote(target.remote, in: try Repository.open(at: gitDirectory)) } catch {
            return .unreachable(error.message)
        }
        do throws(RemoteError) {
            return .running(try remote.heads(options: transport).first { $0.name == RefName.branch(target.branch) }?.id)
        } catch {
            return .unreachable(TransportPolicy.explain(error))
        }
    }

    /// The release tags among `tags` (the names at `commit`), else `<main>@<short>`.
    static func label(for commit: ObjectID, tags: [String], settings: Settings) -> String {
        let releases = tags.filter { TagName($0, naming: settings.tagNaming).version != nil }.sorted()
        return releases.isEmpty ? "\(RefName.short(settings.mainBranch))@\(commit.short)" : releases.joined(separator: ", ")
    }

    /// Runs that recorded their intent and no outcome: still going, or killed (the next run of
    /// the same command settles it, reading the targets).
    static func unfinished(_ intents: [LedgerRecord]) -> [String] {
        intents.map {
            "unfinished: \($0.action) \($0.tag ?? $0.ref.map(RefName.short) ?? String($0.commit.prefix(7))) by \($0.who) at \($0.when) has no outcome: it may still be running, or was killed; run the same command again to finish it and record what happened"
        }
    }

    /// Drift, outside change, pending.
    static func warnings(
        _ environment: Environment, targets: [Target], records: [LedgerRecord], wanted: ObjectID?, reader: RepositoryReader,
        repository: Repository
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
            let wanted, wanted != runningID,
            (try? reader.isAncestor(runningID, of: wanted, many: false)) == true
        {
            let ahead = (try? repository.commits(from: wanted, excluding: runningID, limit: 10_000).count) ?? 0
            warnings.append(
                "pending: \(environment.name)'s ref is \(ahead) commit\(ahead == 1 ? "" : "s") ahead of what runs (\(wanted.short))")
        }
        return warnings
    }

    /// What the environment would run if deployed now: its branch (as the remote has it, else
    /// locally), or its highest final release tag (`highestRelease`, read once for every
    /// environment that asks).
    static func newestCommit(of environment: Environment, reader: RepositoryReader, highestRelease: () -> ObjectID?) -> ObjectID? {
        for pattern in environment.refs {
            switch pattern {
            case .exact(let ref):
                let names = RefName.branchName(of: ref).map { [RefName.remoteBranch("origin", $0), ref] } ?? [ref]
                for name in names {
                    if let id = try? reader.target(ofReference: name), let commit = try? reader.peeledCommit(of: id) { return commit }
                }
            case .releaseTags:
                if let commit = highestRelease() { return commit }
            case .componentReleaseTags(let component):
                if let commit = Self.highestRelease(reader: reader, of: component) { return commit }
            case .glob:
                continue
            }
        }
        return nil
    }

    /// The commit of the highest final release tag, in one pass over the tag names (an ordinary
    /// `vX.Y.Z` compared as three integers, no String made: 10k tags in well under a
    /// millisecond, where a `TagName` each took 20 ms).
    static func highestRelease(reader: RepositoryReader, of component: TagComponent = .plain) -> ObjectID? {
        var index = ReleaseTagIndex(tracking: [], component: component)
        let read = try? reader.forEachTagName(of: component) { _, afterStem in index.insert(tagNameBytes: afterStem) }
        guard read != nil, let best = index.highestFinal(),
            let id = try? reader.target(ofReference: RefName.tag(best.name))
        else { return nil }
        return try? reader.peeledCommit(of: id)
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
                        "    last recorded: \(record.action) \(record.tag ?? record.ref.map { RefName.short($0) + "@" + record.commit.prefix(7) } ?? String(record.commit.prefix(7))) by \(oneLine(record.who)) at \(record.when)"
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
