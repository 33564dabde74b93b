import Foundation
import Git

/// What a rollback did.
public struct RevertOutcome: Sendable {
    public struct Backup: Sendable {
        /// The ref on the source remote (and locally) that keeps the overwritten head.
        public let ref: String
        public let commit: ObjectID
        public let targets: [String]
    }

    public let plan: RevertPlan
    public let when: Date
    public let who: String
    public let createdReleaseBranch: Bool
    public let backups: [Backup]
    /// Targets pushed to, and targets that already ran the tag's commit.
    public let pushed: [String]
    public let alreadyThere: [String]
    /// Where the deployment was recorded (or why it could not be shared).
    public let ledger: String
    /// `revert-to`: whether the rollback branch is on the source remote, or why not.
    public let releaseBranchShared: String?
    /// A push that failed: the target, and why (with the last lines the target said).
    public var failure: (target: String, reason: String)?
    /// The `before` and `after` commands that ran.
    var commands: [StepCommands.Result] = []
    /// The notices sent to the team (`before`, `after`) and how each went.
    public var notices: [(phase: String, outcome: NoticeOutcome)] = []
    /// An `after` command failed.
    public var verificationFailed: Bool { commands.contains { $0.phase == "after" && !$0.succeeded } }
}

/// Steps 6 to 9 of a rollback, after the plan was confirmed.
public struct RevertExecutor {
    let repository: Repository
    let transport: TransportOptions
    /// The process environment, which `before` and `after` commands inherit.
    let environment: [String: String]
    let log: (String) -> Void

    public init(repository: Repository, transport: TransportOptions, environment: [String: String] = [:], log: @escaping (String) -> Void) {
        self.repository = repository
        self.transport = transport
        self.environment = environment
        self.log = log
    }

    /// Reads each target again after the confirmation: a head that moved while the operator
    /// read the plan stops everything before any change. (The push's lease covers the rest.)
    public func recheck(_ plan: RevertPlan) throws(RevertError) {
        for target in plan.targets {
            let remote = try Remote.named(target.target.remote, in: repository)
            let found: ObjectID?
            do {
                found = try remote.heads(options: transport).first { $0.name == RefName.branch(target.target.branch) }?.id
            } catch {
                throw .remote(step: "reading \(target.target) again", error, changed: [])
            }
            if found != target.current { throw .moved(target: target.target.description, planned: target.current, found: found) }
        }
    }

    /// Settles the intents that earlier runs on this environment wrote before pushing and
    /// never followed with an outcome (killed, or the machine went down): the targets, read by
    /// the plan, say what happened, and that is recorded with the outcome `interrupted`. An
    /// intent of a run that may still be going on (another host, less than an hour old) is
    /// only mentioned.
    public func settleInterrupted(_ plan: RevertPlan, at now: Date = Date()) {
        let ledger = Ledger(repository: repository, transport: transport, sourceRemote: plan.request.sourceRemote)
        try? ledger.share()
        guard let records = try? ledger.records() else { return }
        let open = Ledger.deployments(records).filter { $0.state == .started && $0.environment == plan.environment }
        for intent in open.reversed() {
            let started = ISO8601DateFormatter().date(from: intent.when) ?? .distantPast
            let ended = intent.process.flatMap(RunningProcess.hasEnded)
            let what =
                "\(intent.action) \(intent.tag ?? intent.commit) on \(intent.environment), started by \(intent.who) at \(intent.when)"
            guard ended == true || (ended == nil && now.timeIntervalSince(started) > 3600) else {
                log("Note: the \(what), has no outcome yet: it may still be running.")
                continue
            }
            var settled = intent
            settled.outcome = LedgerRecord.Outcome.interrupted.rawValue
            settled.process = nil
            settled.targets = intent.targets.map { entry in
                var entry = entry
                guard let target = plan.targets.first(where: { $0.target.description == entry.target }) else {
                    entry.after = nil
                    entry.result = "unknown"
                    return entry
                }
                entry.after = target.current?.hex
                if target.current?.hex == intent.commit {
                    entry.result = entry.result == "already there" ? "already there" : "pushed"
                } else {
                    entry.result = target.current?.hex == entry.before ? "not changed" : "changed by someone else"
                }
                return entry
            }
            let who = repository.defaultIdentity().map { "\($0.name) <\($0.email)>" } ?? "release-guardian"
            settled.note = "interrupted before it recorded its outcome; the targets were read again by \(who) at \(Self.iso8601(now))"
            let state = settled.targets.map { "\($0.target): \($0.result ?? "unknown")" }.joined(separator: ", ")
            log(
                "The \(what), was interrupted before it recorded its outcome (\(state)). \(ledger.append(settled).replacingOccurrences(of: "Recorded", with: "Recorded as interrupted"))"
            )
        }
    }

    /// Steps 6 to 9. A push that fails stops there: `failed` gets what was done until then (for
    /// the report), then the error is thrown.
    public func execute(
        _ plan: RevertPlan, at when: Date = Date(), failed: (RevertOutcome) -> Void = { _ in }
    ) throws(RevertError) -> RevertOutcome {
        let sourceRemote = plan.request.sourceRemote
        let who = plan.who ?? repository.defaultIdentity().map { "\($0.name) <\($0.email)>" } ?? "unknown"
        // Tell the team what is about to happen; a notice that fails never stops anything.
        let notifier = Notifier(settings: plan.notice, environment: environment)
        var notices: [(phase: String, outcome: NoticeOutcome)] = []
        func notify(_ phase: String, _ text: String) {
            guard notifier.isConfigured else { return }
            let outcome = notifier.send(text: text)
            log("   Notice \(phase): \(outcome).")
            notices.append((phase, outcome))
        }
        notify("before", RevertReport.noticeBefore(plan, who: who))
        let (commandEnvironment, secrets) = StepCommands.environment(environment, for: plan)
        let commands = StepCommands(
            directory: repository.workingDirectory ?? repository.commonDirectory, environment: commandEnvironment, secrets: secrets,
            log: log)
        // The environment's before commands, after the confirmation and before anything changes.
        let before = commands.run(plan.before, phase: "before", stopAtFailure: true)
        if let failed = before.first(where: { !$0.succeeded }) {
            let error = RevertError.beforeFailed(command: failed.command, result: failed.summary, lastLines: failed.lastLines)
            // What the command printed stays on this machine: a notice says only that it failed.
            notify(
                "after",
                "**\(RevertReport.noun(plan.action)) of \(Markdown.escaped(plan.environment)) stopped**: the before command \(Markdown.code(failed.command)) failed (\(failed.summary)); nothing was pushed."
            )
            throw error
        }
        // 6. The rollback branch, at the tag's commit; the working tree and HEAD stay as they are.
        var shared: String?
        if let releaseBranch = plan.releaseBranch {
            if !plan.releaseBranchExists {
                try git { () throws(GitError) in
                    try repository.setReference(
                        releaseBranch, to: plan.commit, force: false, message: "release-guardian: \(plan.action.rawValue) \(plan.label)")
                }
                log("6. Created \(RefName.short(releaseBranch)) at \(plan.commit.short).")
            } else {
                log("6. \(RefName.short(releaseBranch)) already at \(plan.commit.short).")
            }
            // The rollback branch on the source remote too: the runbook picks it there (Scalingo's
            // manual deploy). Failing to share it never stops the rollback; the report says so.
            shared = shareReleaseBranch(releaseBranch, plan: plan)
            log("6. \(shared!)")
        }

        // 7. Keep every head about to be overwritten, on the source remote and here.
        let backups = try backUp(plan.targets.filter(\.needsBackup), plan: plan, at: when)
        if backups.isEmpty { log("7. Nothing to back up: no target runs a commit outside \(plan.label)'s history.") }

        // The intent, before any target changes: a run killed during the push is never unrecorded.
        let ledger = Ledger(repository: repository, transport: transport, sourceRemote: sourceRemote)
        var record = LedgerRecord(
            id: UUID().uuidString.lowercased(), outcome: LedgerRecord.Outcome.started.rawValue, action: plan.action.rawValue,
            environment: plan.environment, ref: plan.ref, tag: plan.tag, version: plan.version?.description,
            commit: plan.commit.hex,
            targets: plan.targets.map {
                LedgerRecord.Target(
                    target: $0.target.description, before: $0.current?.hex, after: plan.commit.hex,
                    result: $0.isDone(for: plan.commit) ? "already there" : "planned")
            },
            who: who, when: Self.iso8601(when), reason: plan.request.reason, backups: backups.map(\.ref),
            checks: plan.checks,
            migrations: plan.migrationGap?.orphanedFiles ?? [],
            process: RunningProcess.current)
        log("8. Intent recorded before pushing: \(ledger.append(record))")

        // 8. Push the commit to each target's branch, with a lease on what the plan saw.
        var pushed: [String] = []
        var alreadyThere: [String] = []
        for target in plan.targets {
            let name = target.target.description
            if target.isDone(for: plan.commit) {
                alreadyThere.append(name)
                log("8. \(name) already runs \(plan.label): nothing to push.")
                continue
            }
            do {
                try push(plan, to: target, runID: record.id ?? "run")
            } catch {
                record.outcome = LedgerRecord.Outcome.failed.rawValue
                record.process = nil
                record.targets = record.targets.map { entry in
                    var entry = entry
                    if entry.target == name {
                        entry.result = "failed"
                        entry.after = target.current?.hex
                    } else if !pushed.contains(entry.target) && entry.result != "already there" {
                        entry.result = "not changed"
                        entry.after = entry.before
                    } else if pushed.contains(entry.target) {
                        entry.result = "pushed"
                    }
                    return entry
                }
                if case .leaseBroken(_, _, let found, _, _) = error, let index = record.targets.firstIndex(where: { $0.target == name }) {
                    record.targets[index].after = found?.hex
                }
                let recorded = ledger.append(record).replacingOccurrences(of: "Recorded", with: "Failure recorded")
                log("9. \(recorded)")
                var outcome = RevertOutcome(
                    plan: plan, when: when, who: who, createdReleaseBranch: !plan.releaseBranchExists,
                    backups: backups, pushed: pushed, alreadyThere: alreadyThere, ledger: recorded, releaseBranchShared: shared)
                outcome.failure = (name, error.changing(pushed).description)
                outcome.commands = before
                notify("after", RevertReport.markdown(outcome))
                outcome.notices = notices
                failed(outcome)
                throw error.changing(pushed)
            }
            pushed.append(name)
            log("8. Pushed \(plan.commit.short) (\(plan.label)) to \(name), replacing \(target.current?.short ?? "nothing").")
        }

        // The environment's after commands (smoke checks), once every target runs the commit.
        let after = commands.run(plan.after, phase: "after", stopAtFailure: false)
        record.checks =
            (record.checks ?? []) + notices.map { LedgerRecord.Check(name: "notice \($0.phase)", result: $0.outcome.description) }
            + (before + after).map(\.check)

        // 9. Record it.
        record.outcome = LedgerRecord.Outcome.done.rawValue
        record.process = nil
        record.targets = record.targets.map { entry in
            var entry = entry
            if pushed.contains(entry.target) { entry.result = "pushed" }
            return entry
        }
        let recorded = ledger.append(record)
        log("9. \(recorded)")
        var outcome = RevertOutcome(
            plan: plan, when: when, who: who, createdReleaseBranch: !plan.releaseBranchExists,
            backups: backups, pushed: pushed, alreadyThere: alreadyThere, ledger: recorded, releaseBranchShared: shared)
        outcome.commands = before + after
        notify("after", RevertReport.markdown(outcome))
        outcome.notices = notices
        return outcome
    }

    /// Pushes `release/<tag>` to the source remote unless it is there already; a branch of that
    /// name at another commit there is left alone (the rules refuse to move it) and said.
    private func shareReleaseBranch(_ releaseBranch: String, plan: RevertPlan) -> String {
        let branch = RefName.short(releaseBranch)
        let source = plan.request.sourceRemote
        do {
            let origin = try Remote.named(source, in: repository)
            let existing = try origin.heads(options: transport).first { $0.name == releaseBranch }?.id
            if existing == plan.commit { return "\(branch) is already on \(source) at \(plan.commit.short)." }
            if let existing {
                return "\(branch) is on \(source) at \(existing.short), not at \(plan.commit.short): left as it is; look at it there."
            }
            try origin.push(["\(releaseBranch):\(releaseBranch)"], lease: [releaseBranch: nil], options: transport)
            return "Pushed \(branch) to \(source)."
        } catch let error as RemoteError {
            return
                "Could not push \(branch) to \(source) (\(TransportPolicy.explain(error))); share it with `git push \(shellQuoted(source)) \(shellQuoted(branch))`."
        } catch {
            return
                "Could not push \(branch) to \(source) (\(error)); share it with `git push \(shellQuoted(source)) \(shellQuoted(branch))`."
        }
    }

    /// Pushes the tag's commit to one target with a lease on the head the plan saw. The lease
    /// holds until the server takes the update: a server that refuses it because the branch
    /// moved after the negotiation (another deployer won the race) is a lost lease too.
    private func push(_ plan: RevertPlan, to target: RevertPlan.Target, runID: String) throws(RevertError) {
        let name = target.target.description
        let branch = RefName.branch(target.target.branch)
        let remote = try Remote.named(target.target.remote, in: repository)
        // What the target says while it takes the push (a PaaS builds on push and explains a
        // refusal there), streamed with the target's name; the last lines go into a failure.
        let said = RemoteMessages(target: name, log: log)
        var options = transport
        options.remoteMessage = { said.append($0) }
        // libgit2 pushes from a ref, not a commit id: a private one, at the commit, for this run only
        // (another run in this clone has its own).
        let outgoing = "refs/release-guardian/outgoing/\(plan.environment)/\(runID)"
        defer { try? repository.deleteReference(outgoing) }
        try git { () throws(GitError) in
            try repository.setReference(outgoing, to: plan.commit, force: true, message: "release-guardian: \(plan.action.rawValue)")
        }
        do {
            try remote.push(["+\(outgoing):\(branch)"], lease: [branch: target.current], options: options)
        } catch {
            let step = "pushing to \(name)" + said.lastLines(8)
            let found: ObjectID?
            switch error {
            case .leaseBroken(_, _, let seen):
                found = seen
            default:
                // Refused, or cut off, after the negotiation: what runs there now says which.
                guard let heads = try? remote.heads(options: transport) else {
                    throw .remote(step: step, error, changed: [])
                }
                found = heads.first { $0.name == branch }?.id
                if found == target.current { throw .remote(step: step, error, changed: []) }
                if case .rejected = error {
                } else if found == plan.commit {
                    return  // the connection broke after the server took our update
                }
            }
            throw .leaseBroken(target: name, planned: target.current, found: found, foundVersions: versions(at: found), changed: [])
        }
    }

    /// The release tags at `commit`, when this clone has it.
    private func versions(at commit: ObjectID?) -> [String] {
        guard let commit else { return [] }
        return (try? ReleaseCatalog(repository: RepositoryReader(repository)).releaseTags(at: [commit])[commit]) ?? nil ?? []
    }

    /// Step 7: one backup ref per distinct head, pushed to the source remote with a lease that
    /// it does not exist yet; a name someone took meanwhile (a rollback of the same second from
    /// another clone) moves to the next free one.
    private func backUp(_ targets: [RevertPlan.Target], plan: RevertPlan, at when: Date) throws(RevertError) -> [RevertOutcome.Backup] {
        let sourceRemote = plan.request.sourceRemote
        let origin = try Remote.named(sourceRemote, in: repository)
        var taken: Set<String> = []
        for attempt in 1...5 {
            let backups = backupRefs(for: targets, environment: plan.environment, at: when, taken: taken)
            if backups.isEmpty { return [] }
            do {
                for backup in backups {
                    try repository.setReference(
                        backup.ref, to: backup.commit, force: true,
                        message: "release-guardian: backup before \(plan.action.rawValue) \(plan.label)")
                }
            } catch {
                throw .git(error)
            }
            do {
                try origin.push(
                    backups.map { "\($0.ref):\($0.ref)" }, lease: Dictionary(uniqueKeysWithValues: backups.map { ($0.ref, nil) }),
                    options: transport)
            } catch {
                // A name taken meanwhile: seen at the negotiation, or refused (locked) by the remote.
                var collided: [String] = []
                if case .leaseBroken(let ref, _, _) = error { collided = [ref] }
                if case .rejected(_, let refs) = error { collided = Array(refs.keys) }
                if attempt < 5, !collided.isEmpty {
                    taken.formUnion(collided)
                    for backup in backups { try? repository.deleteReference(backup.ref) }
                    continue
                }
                throw .remote(step: "backing up to \(sourceRemote)", error, changed: [])
            }
            for backup in backups {
                log("7. Backed up \(backup.commit.short) (\(backup.targets.joined(separator: ", "))) to \(sourceRemote) as \(backup.ref).")
            }
            return backups
        }
        return []
    }

    /// One backup ref per distinct head: `refs/release-guardian/backup/<env>/<UTC timestamp>`,
    /// then `-2`, `-3`… for other heads, or when a name of that second is already taken.
    func backupRefs(for targets: [RevertPlan.Target], environment: String, at when: Date, taken: Set<String> = []) -> [RevertOutcome.Backup]
    {
        var heads: [(ObjectID, [String])] = []
        for target in targets {
            guard let current = target.current else { continue }
            if let index = heads.firstIndex(where: { $0.0 == current }) {
                heads[index].1.append(target.target.description)
            } else {
                heads.append((current, [target.target.description]))
            }
        }
        let base = "refs/release-guardian/backup/\(environment)/\(Self.timestamp(when))"
        var suffix = 1
        return heads.map { head in
            var name = suffix == 1 ? base : "\(base)-\(suffix)"
            while taken.contains(name) || (try? repository.target(ofReference: name)) ?? nil != nil {
                suffix += 1
                name = "\(base)-\(suffix)"
            }
            suffix += 1
            return RevertOutcome.Backup(ref: name, commit: head.0, targets: head.1)
        }
    }

    static func iso8601(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    private func git<T>(_ body: () throws(GitError) -> T) throws(RevertError) -> T {
        do { return try body() } catch { throw .git(error) }
    }
}

/// The lines a remote wrote during one push: streamed with the target's name as they come (on
/// the pushing thread: libgit2 calls back synchronously), and kept for a failure's message.
final class RemoteMessages: @unchecked Sendable {
    private let target: String
    private let log: (String) -> Void
    private var lines: [String] = []
    private let lock = NSLock()

    init(target: String, log: @escaping (String) -> Void) {
        self.target = target
        self.log = log
    }

    func append(_ line: String) {
        lock.withLock { lines.append(line) }
        log("   \(target): \(line)")
    }

    /// ` (the server said: "…" / "…")` with the last `count` lines, or nothing.
    func lastLines(_ count: Int) -> String {
        let last = lock.withLock { Array(lines.suffix(count)) }
        return last.isEmpty ? "" : " (the server said: " + last.map { "\"\($0)\"" }.joined(separator: " / ") + ")"
    }
}
