import Git

/// The server side: the same rules, applied by the repository that receives the push, where
/// "main after the push" is the pushed value or the server's own main.
public struct ServerHook {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Parses `pre-receive` input: `<old> SP <new> SP <ref>` per line (githooks(5)).
    public static func parsePreReceive(_ input: String) throws(HookInputError) -> [RefUpdate] {
        var updates: [RefUpdate] = []
        for (index, line) in RefUpdate.hookLines(input).enumerated() {
            if line.isEmpty { continue }
            let fields = RefUpdate.hookFields(line)
            let malformed = { (reason: String) in
                HookInputError.malformedLine(
                    number: index + 1, line: String(line.prefix(200)), reason: reason, expected: "<old object> <new object> <ref>")
            }
            guard fields.count == 3, fields.allSatisfy({ !$0.isEmpty }) else {
                throw malformed("expected 3 fields separated by single spaces, found \(fields.count)")
            }
            updates.append(try update(old: fields[0], new: fields[1], ref: fields[2], malformed))
        }
        return updates
    }

    /// Parses `reference-transaction` input: the same lines as `pre-receive`, where only names
    /// under `refs/` are kept (a transaction may also write `HEAD` or other pseudo-refs, which
    /// no rule guards).
    public static func parseTransaction(_ input: String) throws(HookInputError) -> [RefUpdate] {
        // Split on bytes: "\r\n" is one Character, so String.split(separator: "\n") would not cut it.
        let kept = input.utf8.split(separator: UInt8(ascii: "\n")).filter { line in
            line.split(separator: UInt8(ascii: " "), maxSplits: 2).dropFirst(2).first?.starts(with: "refs/".utf8) ?? true
        }
        return try parsePreReceive(kept.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n"))
    }

    /// The arguments of the `update` hook: `REF OLD NEW`.
    public static func parseUpdate(ref: String, old: String, new: String) throws(HookInputError) -> RefUpdate {
        let malformed = { (reason: String) in
            HookInputError.malformedLine(number: 1, line: "\(ref) \(old) \(new)", reason: reason, expected: "REF OLD NEW")
        }
        return try update(old: Substring(old), new: Substring(new), ref: Substring(ref), malformed)
    }

    private static func update(
        old: Substring, new: Substring, ref: Substring,
        _ malformed: (String) -> HookInputError
    ) throws(HookInputError) -> RefUpdate {
        RefUpdate(
            ref: try RefUpdate.refName(ref, malformed), oldID: try RefUpdate.objectName(old, malformed),
            newID: try RefUpdate.objectName(new, malformed))
    }

    /// What the server decided, and what its owner should know (a committed policy file that
    /// was ignored).
    public struct Judgement: Sendable {
        public let verdict: PushCheck.Verdict
        public let warnings: [String]

        static func allowed(warnings: [String] = []) -> Judgement {
            Judgement(verdict: PushCheck.Verdict(violations: []), warnings: warnings)
        }
    }

    /// Applies the policy to updates the server is receiving. The repository is opened as git
    /// describes it to hooks, so objects still in the push's quarantine are visible.
    public func run(_ updates: [RefUpdate]) throws(CheckError) -> Judgement {
        if updates.isEmpty { return .allowed() }
        return try judge(updates, in: try open())
    }

    /// git's `reference-transaction` hook in the `prepared` state: the refs of one transaction
    /// are locked and about to be written. They are judged again against the refs as they are
    /// now, which closes the window between `pre-receive` and the write (in a non-atomic push,
    /// an update that `pre-receive` counted on may have failed meanwhile). The old value of each
    /// ref is read from the repository: git passes zeros when a caller did not give one.
    ///
    /// A floating tag is judged with its own transaction only: in a push that is not `--atomic`,
    /// git writes `v7` before the `v7.2.0` it follows, and counting on that release (which a
    /// concurrent push may take first) could leave `v7` on a commit no release is at. So the
    /// move is refused until the release is there: `--atomic`, or the release pushed first.
    ///
    /// Deletions are left to `pre-receive`: whether a guarded ref may be deleted never depends
    /// on other refs, so no race can make one valid, and git's own clean-ups (`pack-refs`,
    /// `gc --auto` after a push) delete the loose copy of every packed ref through a transaction.
    public func runTransaction(_ lines: [RefUpdate]) throws(CheckError) -> Judgement {
        let refs = lines.filter { $0.ref.hasPrefix("refs/") && !$0.isDeletion }
        if refs.isEmpty { return .allowed() }
        let repository = try open()
        let policy = try serverPolicy(of: repository)
        guard refs.contains(where: { RefKind($0.ref, settings: policy.settings).isGuarded }) else {
            return .allowed(warnings: policy.warnings)
        }
        // Held until this transaction is committed or aborted (`finishTransaction`).
        let lock = TransactionLock(directory: repository.commonDirectory)
        let held: TransactionLock.Held
        do { held = try lock.acquire() } catch {
            switch error {
            case .busy: throw .busy(lock.lockPath)
            case .io(let detail): throw .lock(detail)
            }
        }
        var updates: [RefUpdate] = []
        for line in refs {
            let current: ObjectID?
            do { current = try repository.target(ofReference: line.ref) } catch { throw .repository(error) }
            updates.append(RefUpdate(ref: line.ref, oldID: current, newID: line.newID))
        }
        let judgement = try judge(updates, in: repository, policy: policy)
        // Refused: the lock ends with this process. Allowed: kept until the refs are written.
        if judgement.verdict.allowed { lock.keep(held) }
        return judgement
    }

    /// The `committed` or `aborted` state: releases the lock the `prepared` state took.
    public static func finishTransaction(gitDirectory: String) {
        TransactionLock(directory: gitDirectory).release()
    }

    /// The keeper of a transaction's lock: holds it (descriptor 3) while git process `owner` runs.
    public static func holdTransactionLock(for owner: Int32) {
        TransactionLock.hold(for: owner)
    }

    /// Opened as git describes the repository to hooks (its files read where they can be).
    private func open() throws(CheckError) -> RepositoryReader {
        do { return RepositoryReader(try Repository.openFromEnvironment(fallback: directory)) } catch { throw .repository(.git(error)) }
    }

    private func serverPolicy(of repository: RepositoryReader) throws(CheckError) -> (settings: Settings, warnings: [String]) {
        let opened: Repository
        do { opened = try repository.repository() } catch { throw .repository(error) }
        do { return try Settings.serverPolicy(for: opened) } catch { throw .configuration(error) }
    }

    private func judge(
        _ updates: [RefUpdate], in repository: RepositoryReader,
        policy: (settings: Settings, warnings: [String])? = nil
    ) throws(CheckError) -> Judgement {
        let policy = if let policy { policy } else { try serverPolicy(of: repository) }
        do {
            let violations = try Policy(settings: policy.settings).evaluate(updates, in: repository, vantage: .server)
            return Judgement(verdict: PushCheck.Verdict(violations: violations), warnings: policy.warnings)
        } catch {
            throw .policy(error)
        }
    }
}
