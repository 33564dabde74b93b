import Git

extension RevertPlanner {
    /// `deploy`: a ref's commit, forward, to the environment the map names for it.
    func plan(deploy request: RevertRequest) throws(RevertError) -> RevertPlan {
        // 1. Fetch the source remote: a branch deploys what the team pushed there, a tag must be there.
        let given = try? resolveRef(request)
        try fetch(request.sourceRemote, tagsToCheck: given.map { [$0] } ?? [])

        // 2. The ref, the environment it deploys to, and its commit.
        let ref = try resolveRef(request)
        let environment = try deployEnvironment(of: ref, requested: request.environment)
        let commit = try commitToDeploy(ref, request: request)
        let tag = RefName.tagName(of: ref)
        let version = tag.flatMap { TagName($0, naming: settings.tagNaming).version }
        log("2. \(RefName.short(ref)) is commit \(commit.short); it deploys to \(environment.name).")

        // 3. What each target runs.
        let heads = try readHeads(of: environment)
        let versionsRunning = try ReleaseCatalog(repository: reader, naming: settings.tagNaming).releaseTags(
            at: Set(heads.compactMap(\.current) + [commit]))
        try checkExpected(heads, request.expect)

        // 4. Forward only: going back is a rollback, with its own safeguards (rehearsal, release branch).
        for head in heads {
            if let current = head.current, current != commit,
                try git({ () throws(GitError) in try repository.isAncestor(commit, of: current) })
            {
                throw .isRollback(
                    target: head.target.description, ref: RefName.short(ref), commit: commit, current: current,
                    currentVersions: versionsRunning[current] ?? [], releaseTags: versionsRunning[commit] ?? [],
                    environment: environment.name)
            }
        }
        let targets = try self.targets(heads, going: commit, versionsRunning: versionsRunning)

        // 4. The rules judge the ref as `ci` does.
        let rules = try judge(ref, sourceRemote: request.sourceRemote)
        log("4. Checked: no target runs a later commit; \(rules).")

        return RevertPlan(
            request: request, action: .deploy, environment: environment.name, ref: ref, tag: tag, version: version, commit: commit,
            releaseBranch: nil, releaseBranchExists: false, targets: targets, checks: [LedgerRecord.Check(name: "rules", result: rules)])
    }

    /// The rules on `ref`, judged as `ci` does (a tag as when it was made); what was checked.
    func judge(_ ref: String, sourceRemote: String) throws(RevertError) -> String {
        let judged: CICheck.Judgement
        do {
            var options = CICheck.Options(ref: ref, directory: "", environment: environment)
            options.remote = sourceRemote
            judged = try CICheck(options: options).judge(ref, in: reader, settings: settings)
        } catch {
            throw .judging(error)
        }
        guard judged.violations.isEmpty else { throw .violations(judged.violations) }
        if let history = judged.history {
            return "\(RefName.short(ref)) is history (\(history.key) = \(history.tag)): not judged again"
        }
        return judged.checked.isEmpty
            ? "no rule applies to \(RefName.short(ref))"
            : "the rules allow \(RefName.short(ref)) (\(judged.checked.map(\.rawValue).joined(separator: ", ")))"
    }

    /// The ref given (a short name as git reads it, or a branch only the source remote has), or
    /// the CI's, else the current branch.
    private func resolveRef(_ request: RevertRequest) throws(RevertError) -> String {
        if let given = request.ref, !given.hasPrefix("refs/") {
            let meaning = try? reader.fullReferenceName(for: given)
            // A branch only the source remote has (a pipeline's clone has no local branches).
            if meaning ?? nil == nil, (try? reader.target(ofReference: RefName.remoteBranch(request.sourceRemote, given))) ?? nil != nil {
                return RefName.branch(given)
            }
            // `origin/main`: the branch it tracks.
            let prefix = request.sourceRemote + "/"
            if given.hasPrefix(prefix), meaning == RefName.remoteBranch(request.sourceRemote, given.dropFirst(prefix.count)) {
                return RefName.branch(given.dropFirst(prefix.count))
            }
        }
        do {
            return try RefResolver.resolve(request.ref, in: reader, environment: { environment[$0] })
        } catch {
            throw .ref(error)
        }
    }

    /// The environment the map names for `ref`; `--env` picks among them, never elsewhere.
    private func deployEnvironment(of ref: String, requested: String?) throws(RevertError) -> Environment {
        let mapped = settings.environments.filter { $0.matches(ref, naming: settings.tagNaming) }
        let map = environmentMap
        if let requested {
            guard settings.environments.contains(where: { $0.name == requested }) else {
                throw .unknownEnvironment(requested, known: settings.environments.map(\.name))
            }
            guard let environment = mapped.first(where: { $0.name == requested }) else {
                throw .deploysElsewhere(ref: ref, requested: requested, mapped: mapped.map(\.name), map: map)
            }
            return try self.environment(named: environment.name)
        }
        guard let environment = mapped.first else {
            if let name = RefName.tagName(of: ref), case .floating(let tag) = TagName(name, naming: settings.tagNaming) {
                throw .floatingTag(ref: ref, line: tag.lineName)
            }
            throw .deploysNowhere(ref: ref, map: map)
        }
        return try self.environment(named: environment.name)
    }

    /// What a ref deploys: the commit the pipeline built (in CI, for its own ref); a branch as
    /// the source remote has it (what was pushed, not what this clone holds); a tag's commit.
    private func commitToDeploy(_ ref: String, request: RevertRequest) throws(RevertError) -> ObjectID {
        let named: ObjectID?
        if let branch = RefName.branchName(of: ref) {
            let tracking = RefName.remoteBranch(request.sourceRemote, branch)
            named = try git { () throws(GitError) in try repository.peeledCommit(ofReference: tracking) }
            guard named != nil else { throw .notOnSourceRemote(branch: branch, remote: request.sourceRemote) }
            let local = try? repository.peeledCommit(ofReference: ref)
            if let local, local != named {
                log(
                    "   Note: the local \(branch) (\(local.short)) differs from \(request.sourceRemote)'s; deploying \(request.sourceRemote)'s."
                )
            }
        } else {
            guard (try? repository.target(ofReference: ref)) ?? nil != nil else { throw .ref(.notFound(ref)) }
            named = try git { () throws(GitError) in try repository.peeledCommit(ofReference: ref) }
            guard named != nil else { throw .notACommit(ref: ref) }
        }
        guard let named else { throw .notACommit(ref: ref) }
        // In a pipeline that builds this ref, the commit it built and checked.
        if request.ref == nil, let platform = CIPlatform.detect({ environment[$0] }), let built = platform.commit(in: { environment[$0] }) {
            guard let id = ObjectID(hex: built), (try? repository.contains(id)) == true else {
                throw .notACommit(ref: built)
            }
            if id != named {
                // A branch may have moved on since the pipeline started; a tag never does.
                guard RefName.branchName(of: ref) != nil, try git({ () throws(GitError) in try repository.isAncestor(id, of: named) })
                else {
                    throw .ciCommitElsewhere(ref: ref, built: id, refCommit: named)
                }
                log("   \(platform.rawValue) built \(id.short); \(RefName.short(ref)) is at \(named.short) now. Deploying what was built.")
            }
            return id
        }
        return named
    }
}
