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
}

/// Steps 6 to 9 of a rollback, after the plan was confirmed.
public struct RevertExecutor {
    let repository: Repository
    let transport: TransportOptions
    let log: (String) -> Void

    public init(repository: Repository, transport: TransportOptions, log: @escaping (String) -> Void) {
        self.repository = repository
        self.transport = transport
        self.log = log
    }

    /// Reads each target again after the confirmation: a head that moved while the operator
    /// read the plan stops everything before any change. (The push's lease covers the rest.)
    public func recheck(_ plan: RevertPlan) throws(RevertError) {
        for target in plan.targets {
            let remote = try Remote.named(target.target.remote, in: repository)
            let found: ObjectID?
            do {
                found = try remote.heads(options: transport).first { $0.name == "refs/heads/" + target.target.branch }?.id
            } catch {
                throw .remote(step: "reading \(target.target) again", error, changed: [])
            }
            if found != target.current { throw .moved(target: target.target.description, planned: target.current, found: found) }
        }
    }

    public func execute(_ plan: RevertPlan, at when: Date = Date()) throws(RevertError) -> RevertOutcome {
        let sourceRemote = plan.request.sourceRemote
        // 6. The rollback branch, at the tag's commit; the working tree and HEAD stay as they are.
        if !plan.releaseBranchExists {
            try git { () throws(GitError) in
                try repository.setReference(plan.releaseBranch, to: plan.commit, force: false, message: "release-guardian: revert-to \(plan.tag)")
            }
            log("6. Created \(plan.releaseBranch.dropFirst("refs/heads/".count)) at \(plan.commit.short).")
        } else {
            log("6. \(plan.releaseBranch.dropFirst("refs/heads/".count)) already at \(plan.commit.short).")
        }

        // 7. Keep every head about to be overwritten, on the source remote and here.
        let toChange = plan.targets.filter { !$0.isDone(for: plan.commit) }
        let backups = backupRefs(for: toChange, environment: plan.environment, at: when)
        if !backups.isEmpty {
            do {
                for backup in backups {
                    try repository.setReference(backup.ref, to: backup.commit, force: false, message: "release-guardian: backup before revert-to \(plan.tag)")
                }
            } catch {
                throw .git(error)
            }
            let origin = try Remote.named(sourceRemote, in: repository)
            do {
                try origin.push(backups.map { "\($0.ref):\($0.ref)" }, lease: Dictionary(uniqueKeysWithValues: backups.map { ($0.ref, nil) }),
                                options: transport)
            } catch {
                throw .remote(step: "backing up to \(sourceRemote)", error, changed: [])
            }
            for backup in backups {
                log("7. Backed up \(backup.commit.short) (\(backup.targets.joined(separator: ", "))) to \(sourceRemote) as \(backup.ref).")
            }
        } else {
            log("7. Nothing to back up: every target already runs \(plan.tag).")
        }

        // 8. Push the commit to each target's branch, with a lease on what the plan saw.
        var pushed: [String] = []
        var alreadyThere: [String] = []
        for target in plan.targets {
            let name = target.target.description
            if target.isDone(for: plan.commit) {
                alreadyThere.append(name)
                log("8. \(name) already runs \(plan.tag): nothing to push.")
                continue
            }
            let branch = "refs/heads/" + target.target.branch
            let remote = try Remote.named(target.target.remote, in: repository)
            do {
                try remote.push(["+\(plan.releaseBranch):\(branch)"], lease: [branch: target.current], options: transport)
            } catch {
                if case .leaseBroken = error { throw .leaseBroken(target: name, error, changed: pushed) }
                throw .remote(step: "pushing to \(name)", error, changed: pushed)
            }
            pushed.append(name)
            log("8. Pushed \(plan.commit.short) (\(plan.tag)) to \(name), replacing \(target.current?.short ?? "nothing").")
        }

        // 9. Record it.
        let who = repository.defaultIdentity().map { "\($0.name) <\($0.email)>" } ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        let outcome = RevertOutcome(plan: plan, when: when, who: who, createdReleaseBranch: !plan.releaseBranchExists,
                                    backups: backups, pushed: pushed, alreadyThere: alreadyThere, ledger: "")
        let ledger = Ledger(repository: repository, transport: transport).record(outcome)
        log("9. \(ledger)")
        return RevertOutcome(plan: plan, when: when, who: who, createdReleaseBranch: outcome.createdReleaseBranch,
                             backups: backups, pushed: pushed, alreadyThere: alreadyThere, ledger: ledger)
    }

    /// One backup ref per distinct head: `refs/release-guardian/backup/<env>/<UTC timestamp>`,
    /// then `-2`, `-3`… for other heads, or when a name of that second is already taken.
    func backupRefs(for targets: [RevertPlan.Target], environment: String, at when: Date) -> [RevertOutcome.Backup] {
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
            while (try? repository.target(ofReference: name)) ?? nil != nil {
                suffix += 1
                name = "\(base)-\(suffix)"
            }
            suffix += 1
            return RevertOutcome.Backup(ref: name, commit: head.0, targets: head.1)
        }
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
