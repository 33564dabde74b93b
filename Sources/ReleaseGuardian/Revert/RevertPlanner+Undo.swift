import Git

extension RevertPlanner {
    /// `undo`: what ran before the environment's last record, from the record's `before` and
    /// the backup it kept. Only a finished record whose targets still run what it put there can
    /// be undone: anything else would overwrite a change nobody planned for.
    func plan(undo request: RevertRequest) throws(RevertError) -> RevertPlan {
        // 1. Fetch the source remote, and the ledger the team shares there.
        try fetch(request.sourceRemote)
        let ledger = Ledger(repository: repository, transport: transport, sourceRemote: request.sourceRemote)
        try? ledger.share()
        let records = Ledger.deployments((try? ledger.records(limit: 2_000)) ?? [])

        // 2. The environment's last record, and what ran before it.
        // A failure that changed nothing is not what runs: the record before it is.
        let changing = records.filter { $0.state == .done || $0.state == .started || $0.targets.contains { $0.result == "pushed" } }
        let name = request.environment ?? changing.first?.environment
        guard let name, let last = changing.first(where: { $0.environment == name }) else {
            throw .cannotUndo(environment: request.environment, reason: "the ledger holds no record to undo")
        }
        let environment = try self.environment(named: name)
        let what = "the last record (\(last.title), by \(last.who) at \(last.when))"
        guard last.state == .done else {
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
        let versionsRunning = try ReleaseCatalog(repository: reader).releaseTags(at: Set(heads.compactMap(\.current) + [commit]))
        let targets = try self.targets(heads, going: commit, versionsRunning: versionsRunning)

        // What put that commit there, to name it as it was named then.
        let earlier = records.first { $0.environment == name && $0.state == .done && $0.commit == before && $0.id != last.id }
        let tag = versionsRunning[commit]?.first
        let ref = earlier?.ref ?? tag.map(RefName.tag) ?? last.backups?.first ?? before
        log("4. Checked: every target still runs what \(what) put there.")
        return RevertPlan(
            request: request, action: .undo, environment: name, ref: ref, tag: tag, version: tag.flatMap { TagName($0).version },
            commit: commit, releaseBranch: nil, releaseBranchExists: false, targets: targets,
            checks: [LedgerRecord.Check(name: "undoes", result: "\(last.id ?? last.when): \(last.title)")])
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
