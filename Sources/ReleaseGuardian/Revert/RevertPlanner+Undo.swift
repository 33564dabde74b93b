import Git

extension RevertPlanner {
    /// `undo`: what ran before the environment's last record, from the record's `before` and
    /// the backup it kept. Only a record that finished (or was interrupted after every push)
    /// and whose targets still run what it put there can be undone: anything else would
    /// overwrite a change nobody planned for. The ledger is written by anyone who can push to
    /// the source remote, so what it says ran before is never trusted alone: the commit must be
    /// on a ref the environment takes there, and the rules must allow that ref, as for `deploy`.
    func plan(undo request: RevertRequest) throws(RevertError) -> RevertPlan {
        // 1. Fetch the source remote, and the records the team shares there (nothing is pushed).
        try fetch(request.sourceRemote)
        let ledger = Ledger(repository: repository, transport: transport, sourceRemote: request.sourceRemote)
        try? ledger.fetchRemote()
        let records = Ledger.deployments((try? ledger.records(limit: 2_000)) ?? [])

        // 2. The environment's last record that changed something, and what ran before it. A
        // failure that changed nothing, or a run that found everything in place, is not it.
        let changing = records.filter { $0.state == .started || $0.targets.contains { $0.result == "pushed" } }
        let name = request.environment ?? changing.first?.environment
        guard let name, let last = changing.first(where: { $0.environment == name }) else {
            throw .cannotUndo(environment: request.environment, reason: "the ledger holds no record to undo")
        }
        let environment = try self.environment(named: name)
        let what = "the last record (\(last.title), by \(last.who) at \(last.when))"
        let finished =
            last.state == .done
            || (last.state == .interrupted && last.targets.allSatisfy { $0.result == "pushed" || $0.result == "already there" })
        guard finished else {
            throw .cannotUndo(
                environment: name,
                reason:
                    "\(what) did not finish, so the targets may run different commits; run the command it records again to finish it, or `release-guardian status --env \(shellQuoted(name))` to see what runs"
            )
        }
        let changed = last.targets.filter { $0.result == "pushed" }
        guard !changed.isEmpty else { throw .cannotUndo(environment: name, reason: "\(what) changed no target") }
        let befores = Set(changed.map(\.before))
        guard befores.count == 1, let before = befores.first else {
            throw .cannotUndo(
                environment: name,
                reason:
                    "before \(what), its targets ran different commits (\(changed.map { "\($0.target): \($0.before.map { String($0.prefix(7)) } ?? "nothing")" }.joined(separator: ", "))); put each back with `revert-to` or `deploy`"
            )
        }
        guard let before, let commit = ObjectID(hex: before) else {
            throw .cannotUndo(environment: name, reason: "before \(what), \(changed[0].target) ran nothing; an undo never deletes a branch")
        }
        try fetchIfMissing(commit, backups: last.backups ?? [], from: request.sourceRemote)
        log(
            "2. Before \(last.action) \(last.tag ?? last.ref.map(RefName.short) ?? last.commit) (\(last.when)), \(name) ran \(commit.short)."
        )

        // 3. What each target runs: still what the last record put there, or the undo stops.
        let heads = try readHeads(of: environment)
        let recorded = Set(last.targets.map(\.target))
        for head in heads {
            guard recorded.contains(head.target.description) else {
                throw .cannotUndo(environment: name, reason: "\(head.target) was not among the targets of \(what)")
            }
            guard head.current?.hex == last.commit else {
                throw .cannotUndo(
                    environment: name,
                    reason:
                        "\(head.target) runs \(head.current?.short ?? "nothing") now, not \(String(last.commit.prefix(7))) as \(what) left it: someone changed it since. See `release-guardian status --env \(shellQuoted(name))`"
                )
            }
        }
        try checkExpected(heads, request.expect)
        let versionsRunning = try ReleaseCatalog(repository: reader, naming: settings.tagNaming).releaseTags(
            at: Set(heads.compactMap(\.current) + [commit]))
        let targets = try self.targets(heads, going: commit, versionsRunning: versionsRunning)

        // 4. The commit is on a ref this environment takes, and the rules allow that ref.
        let ref = try refHolding(commit, for: environment, sourceRemote: request.sourceRemote, backups: last.backups ?? [])
        let rules = try judge(ref, sourceRemote: request.sourceRemote)
        var checks = [
            LedgerRecord.Check(name: "undoes", result: "\(last.id ?? last.when): \(last.title)"),
            LedgerRecord.Check(name: "rules", result: rules),
        ]
        // Going back is a rollback: the rehearsal the environment asks for applies.
        let tag = RefName.tagName(of: ref) ?? versionsRunning[commit]?.first
        if let current = heads.first?.current, try git({ () throws(GitError) in try repository.isAncestor(commit, of: current) }),
            let rehearsal = try checkRehearsal(of: tag ?? commit.short, commit: commit, in: environment, request: request)
        {
            checks.append(rehearsal)
        }
        log("4. Checked: every target still runs what \(what) put there; \(commit.short) is on \(RefName.short(ref)), and \(rules).")
        return RevertPlan(
            request: request, action: .undo, environment: name, ref: ref, tag: tag,
            version: tag.flatMap { TagName($0, naming: settings.tagNaming).version },
            commit: commit, releaseBranch: nil, releaseBranchExists: false, targets: targets, checks: checks)
    }

    /// A ref of the source remote that `environment` takes and that holds `commit`: a tag at it,
    /// else a branch whose history has it. None: the commit was never released there (pushed by
    /// hand, or named by a forged record), and an undo does not push what no rule can judge.
    private func refHolding(
        _ commit: ObjectID, for environment: Environment, sourceRemote: String, backups: [String]
    ) throws(RevertError) -> String {
        let tags = try read { () throws(ReadError) in try reader.tagNames(pointingAt: [commit])[commit] ?? [] }
        if let tag = tags.map(RefName.tag).sorted().first(where: { environment.matches($0, naming: settings.tagNaming) }) { return tag }
        let tracking = RefName.remotesPrefix + sourceRemote + "/"
        let branches = try read { () throws(ReadError) in try reader.referenceValues(under: tracking) }
        for (trackingRef, tip) in branches.sorted(by: { $0.key < $1.key }) {
            let ref = RefName.branch(trackingRef.dropFirst(tracking.count))
            guard environment.matches(ref, naming: settings.tagNaming), !trackingRef.hasSuffix("/HEAD") else { continue }
            if tip == commit { return ref }
            if try git({ () throws(GitError) in try repository.isAncestor(commit, of: tip) }) { return ref }
        }
        let restore =
            backups.first.map { "`git fetch \(shellQuoted(sourceRemote)) \(shellQuoted($0))`, then `git push TARGET FETCH_HEAD:BRANCH`" }
            ?? "`git push TARGET \(commit.hex):BRANCH`"
        throw .cannotUndo(
            environment: environment.name,
            reason:
                "\(commit.short), which the record says ran before, is on no ref \(environment.name) takes on \(sourceRemote) (\(environment.refs.map(\.description).joined(separator: ", "))): it was pushed by hand, or the record is wrong, and an undo only puts back what the rules can judge. Check it; if it is right, put it back by hand: \(restore)"
        )
    }

    /// The commit an undo puts back, fetched from the record's backups when this clone lacks it.
    private func fetchIfMissing(_ commit: ObjectID, backups: [String], from sourceRemote: String) throws(RevertError) {
        if (try? repository.contains(commit)) == true { return }
        let refs = backups.filter { $0.hasPrefix("refs/release-guardian/backup/") && RefNameFormat.isValid($0) }
        if !refs.isEmpty {
            let origin = try remote(sourceRemote)
            do throws(RemoteError) {
                try origin.fetch(refs.map { "+\($0):\($0)" }, options: transport)
            } catch {
                throw .remote(step: "fetching the backup \(refs.joined(separator: ", "))", error, changed: [])
            }
        }
        guard (try? repository.contains(commit)) == true else {
            throw .cannotUndo(
                environment: nil, reason: "\(commit.short) is neither in this clone nor in the record's backups on \(sourceRemote)")
        }
    }
}
