import Foundation
import Git

/// Steps 1 to 4 of a deployment, a rollback or an undo: fetch, resolve what goes, read what
/// each target runs, check. Changes nothing but remote-tracking refs and a private copy of what
/// the targets run. What differs between the three is in `plan(revertTo:)`, `plan(deploy:)` and
/// `plan(undo:)`; the steps they share are here.
public struct RevertPlanner {
    let repository: Repository
    /// The same repository read from its files where they are enough (tags at 100k).
    let reader: RepositoryReader
    let settings: Settings
    let transport: TransportOptions
    /// The process environment: the CI's ref and commit for `deploy`.
    let environment: [String: String]
    let log: (String) -> Void

    public init(
        repository: Repository, settings: Settings, transport: TransportOptions, environment: [String: String] = [:],
        log: @escaping (String) -> Void
    ) {
        self.repository = repository
        reader = RepositoryReader(repository)
        self.settings = settings
        self.transport = transport
        self.environment = environment
        self.log = log
    }

    public func plan(_ request: RevertRequest) throws(RevertError) -> RevertPlan {
        guard !repository.isShallow else { throw .shallow }
        var plan: RevertPlan
        switch request.action {
        case .revertTo: plan = try self.plan(revertTo: request)
        case .deploy: plan = try self.plan(deploy: request)
        case .undo: plan = try self.plan(undo: request)
        }
        plan.who = pipelineActor()
        plan.notice = settings.notify
        if let environment = settings.environments.first(where: { $0.name == plan.environment }) {
            plan.before = environment.before
            plan.after = environment.after
        }
        try checkMigrationGap(&plan)
        return plan
    }

    /// `[migrations]`: the files what runs now has and the new commit lacks. Going across such a
    /// gap runs code without those migrations on a schema that has them, whether by a rollback or
    /// by deploying a commit that reverted them: refused unless a `before` command is there to
    /// bring the database back, or `--accept-migration-gap` (recorded).
    private func checkMigrationGap(_ plan: inout RevertPlan) throws(RevertError) {
        guard let migrations = settings.migrations,
            let now = plan.targets.first(where: { $0.current != nil && !$0.isDone(for: plan.commit) })?.current
        else { return }
        let gap: MigrationGap?
        do {
            gap = try MigrationGap.between(now: now, target: plan.commit, settings: migrations, in: repository)
        } catch {
            throw .git(error)
        }
        guard let gap else { return }
        plan.migrationGap = gap
        for line in gap.lines { log("4. \(line)") }
        if !plan.before.isEmpty {
            plan.checks.append(LedgerRecord.Check(name: "migration-gap", result: "the before command brings the database back"))
        } else if plan.request.acceptMigrationGap {
            plan.checks.append(LedgerRecord.Check(name: "migration-gap", result: "accepted with --accept-migration-gap"))
        } else {
            throw .migrationGap(environment: plan.environment, lines: gap.lines, commands: gap.commands)
        }
    }

    /// In a pipeline, the person who started it: the machine's git identity is a bot's, or none.
    private func pipelineActor() -> String? {
        guard let platform = CIPlatform.detect(environment) else { return nil }
        let actor =
            switch platform {
            case .github: environment["GITHUB_ACTOR"]
            case .gitlab: environment["GITLAB_USER_LOGIN"]
            }
        guard let actor, !actor.isEmpty else { return nil }
        return "\(actor) via \(platform.rawValue)"
    }

    private func plan(revertTo request: RevertRequest) throws(RevertError) -> RevertPlan {
        let environment = try self.environment(named: request.environment ?? "prod")

        // 1. Fetch the source remote with its tags, pruning what it no longer has.
        try fetch(request.sourceRemote, tagsToCheck: request.ref.map { $0 == "previous" ? [] : [RefName.tag($0)] } ?? [])

        // 3 (read first: `previous` and the messages need what is deployed). What each target runs.
        let heads = try readHeads(of: environment)
        let catalog = ReleaseCatalog(repository: reader, naming: settings.tagNaming)
        let versionsRunning = try catalog.releaseTags(at: Set(heads.compactMap(\.current)))

        // 2. The tag, peeled to its commit.
        let deployed = heads.first?.current
        let (tag, version) = try resolveTag(
            request.ref ?? "previous", environment: environment.name, deployed: deployed,
            deployedVersions: deployed.flatMap { versionsRunning[$0] } ?? [], catalog: catalog)
        guard let commit = try git({ () throws(GitError) in try repository.peeledCommit(ofReference: RefName.tag(tag)) }) else {
            throw .notARelease(tag, reason: "it does not point at a commit")
        }
        log("2. \(tag) is commit \(commit.short).")
        try checkTakesReleases(of: tag, environment)
        let rehearsal = try checkRehearsal(of: tag, commit: commit, in: environment, request: request)

        // 4. A rollback goes back in history; anything else needs --allow-divergent.
        try checkExpected(heads, request.expect)
        for head in heads {
            if let current = head.current, current != commit, !request.allowDivergent,
                try !git({ () throws(GitError) in try repository.isAncestor(commit, of: current) })
            {
                throw .divergent(target: head.target.description, tag: tag, current: current)
            }
        }
        let targets = try self.targets(heads, going: commit, versionsRunning: versionsRunning, keepEveryHead: true)

        // 4. The rules, on what is deployed and written: the tag, judged as when it was made (as
        // `ci` does) unless it is history (release.baseline), and the rollback branch release/vX.Y.Z.
        let releaseBranch = RefName.branch("release/" + tag)
        let existing = try git { () throws(GitError) in try repository.target(ofReference: releaseBranch) }
        if let existing, existing != commit {
            throw .releaseBranchElsewhere(branch: releaseBranch, at: existing, tag: tag, commit: commit)
        }
        let tagRef = RefName.tag(tag)
        let tagID = try read { () throws(ReadError) in try reader.target(ofReference: tagRef) }!
        let history: Baseline?
        do { history = try settings.history(ofTag: tag, id: tagID, in: reader) } catch { throw .judging(.baseline(error)) }
        let later = try read { () throws(ReadError) in
            history == nil ? try TagHistory.tagsMadeAfter(tag, id: tagID, naming: settings.tagNaming, in: reader) : []
        }
        let judged =
            (history == nil ? [RefUpdate(ref: tagRef, oldID: nil, newID: tagID)] : [])
            + [RefUpdate(ref: releaseBranch, oldID: nil, newID: commit)]
        let violations: [Violation]
        do {
            violations = try Policy(settings: settings).evaluate(
                judged, in: reader, vantage: .client(remote: request.sourceRemote), ignoringTags: later)
        } catch {
            throw .policy(error)
        }
        guard violations.isEmpty else { throw .violations(violations) }
        let rules =
            history.map {
                "\(tag) is history (\($0.key) = \($0.tag)), not judged again; the rules allow \(RefName.short(releaseBranch))"
            } ?? "the rules allow \(tag) and \(RefName.short(releaseBranch))"
        log(
            "4. Checked: \(tag) is an ancestor of what runs now\(request.allowDivergent ? " (or --allow-divergent)" : ""); \(rules)."
        )

        return RevertPlan(
            request: request, action: .revertTo, environment: environment.name, ref: tagRef, tag: tag, version: version,
            commit: commit, releaseBranch: releaseBranch, releaseBranchExists: existing != nil, targets: targets,
            checks: rehearsal.map { [$0] } ?? [])
    }

    // MARK: - The steps every plan shares

    /// A deploy target and what it runs now, read from the target itself.
    struct Head {
        let index: Int
        let target: DeployTarget
        let url: String
        let current: ObjectID?
    }

    func environment(named name: String) throws(RevertError) -> Environment {
        guard let environment = settings.environments.first(where: { $0.name == name }) else {
            throw .unknownEnvironment(name, known: settings.environments.map(\.name))
        }
        guard !environment.targets.isEmpty else { throw .noTargets(environment: environment.name) }
        return environment
    }

    /// Step 1. A tag in `tagsToCheck` must be on the source remote: one only this clone has
    /// was never judged by the server's hook nor seen by the team.
    func fetch(_ sourceRemote: String, tagsToCheck: [String] = []) throws(RevertError) {
        let watching = Set(tagsToCheck.filter { $0.hasPrefix(RefName.tagsPrefix) })
        let advertised = try SourceFetch(repository: repository, reader: reader, transport: transport, log: log)
            .run(sourceRemote, watching: watching)
        for tag in watching.sorted() where advertised[tag] == nil {
            guard (try? reader.target(ofReference: tag)) ?? nil != nil else { continue }  // unknown here too: said later
            throw .notOnSourceRemote(branch: RefName.short(tag), remote: sourceRemote)
        }
    }

    /// Step 3: each target's head, fetched here when this clone lacks it (the plan lists what
    /// it un-deploys, and the backup needs it).
    func readHeads(of environment: Environment) throws(RevertError) -> [Head] {
        var heads: [Head] = []
        for (index, target) in environment.targets.enumerated() {
            let remote = try self.remote(target.remote)
            let branch = RefName.branch(target.branch)
            do throws(RemoteError) {
                let current = try remote.heads(options: transport).first { $0.name == branch }?.id
                if let current, (try? repository.contains(current)) != true {
                    try remote.fetch(["+\(branch):refs/release-guardian/deployed/\(environment.name)/\(index)"], options: transport)
                }
                heads.append(Head(index: index, target: target, url: remote.displayURL, current: current))
            } catch {
                throw .remote(step: "reading \(target)", error, changed: [])
            }
        }
        return heads
    }

    /// `--expect`: every target must run that commit now.
    func checkExpected(_ heads: [Head], _ expect: ObjectID?) throws(RevertError) {
        guard let expect else { return }
        for head in heads where head.current != expect {
            throw .unexpectedHead(target: head.target.description, expected: expect, found: head.current)
        }
    }

    /// Step 3's plan lines: for each target, what goes away, what goes live, and whether what
    /// runs now must be kept first: when the new commit's history does not hold it, or always
    /// (`keepEveryHead`, a rollback: SPEC step 7).
    func targets(
        _ heads: [Head], going commit: ObjectID, versionsRunning: [ObjectID: [String]], keepEveryHead: Bool = false
    ) throws(RevertError) -> [RevertPlan.Target] {
        var targets: [RevertPlan.Target] = []
        for head in heads {
            var undeployed: [CommitSummary] = []
            var going: [CommitSummary] = []
            var needsBackup = false
            if let current = head.current, current != commit {
                undeployed = try git { () throws(GitError) in try repository.commits(from: current, excluding: commit, limit: 51) }
                going = try git { () throws(GitError) in try repository.commits(from: commit, excluding: current, limit: 51) }
                needsBackup = keepEveryHead || !undeployed.isEmpty
            }
            let versions = head.current.flatMap { versionsRunning[$0] } ?? []
            log(
                "3. \(head.target)\(head.url == head.target.remote ? "" : " (\(head.url))") runs \(head.current.map { $0.short + (versions.first.map { " (\($0))" } ?? "") } ?? "nothing yet")."
            )
            targets.append(
                RevertPlan.Target(
                    target: head.target, url: head.url, current: head.current, currentVersions: versions,
                    undeployed: Array(undeployed.prefix(50)), undeployedTruncated: undeployed.count > 50,
                    going: Array(going.prefix(50)), goingTruncated: going.count > 50, needsBackup: needsBackup))
        }
        return targets
    }

    /// `rehearseIn`: the ledger must hold a successful rollback (`revert-to` or `undo`) to
    /// `commit` in that environment, made within `rehearsalMaxAge`; `--skip-rehearsal` goes
    /// ahead (and the record says so).
    func checkRehearsal(
        of tag: String, commit: ObjectID, in environment: Environment, request: RevertRequest
    ) throws(RevertError) -> LedgerRecord.Check? {
        guard let rehearseIn = environment.rehearseIn else { return nil }
        if request.skipRehearsal {
            log("   No rehearsal in \(rehearseIn) required: --skip-rehearsal (recorded).")
            return LedgerRecord.Check(name: "rehearsal", result: "skipped with --skip-rehearsal")
        }
        let ledger = Ledger(repository: repository, transport: transport, sourceRemote: request.sourceRemote)
        try? ledger.fetchRemote()
        let records = Ledger.deployments((try? ledger.records(limit: 2_000)) ?? [])
        let since = Date().addingTimeInterval(-Double(environment.rehearsalMaxAge))
        let formatter = ISO8601DateFormatter()
        let rehearsal = records.first { (record: LedgerRecord) -> Bool in
            guard record.environment == rehearseIn, record.action != DeploymentAction.deploy.rawValue, record.state == .done,
                record.commit == commit.hex,
                let when = formatter.date(from: record.when)
            else { return false }
            return when >= since
        }
        guard let rehearsal else {
            throw .notRehearsed(tag: tag, environment: environment.name, rehearseIn: rehearseIn, maxAge: environment.rehearsalMaxAge)
        }
        log("   Rehearsed in \(rehearseIn) by \(rehearsal.who) at \(rehearsal.when).")
        return LedgerRecord.Check(name: "rehearsal", result: "rehearsed in \(rehearseIn) at \(rehearsal.when)")
    }

    /// The release `environment` ran before the deployment that put `deployed` there, from the
    /// ledger (v1.0.0 then v1.2.0 deployed: v1.0.0, not v1.1.0 which never ran); nil when the
    /// ledger does not know (no record put `deployed` there: the tags decide).
    private func previousFromLedger(environment: String, deployed: ObjectID?) -> (String, SemanticVersion)? {
        guard let deployed else { return nil }
        let ledger = Ledger(repository: repository, transport: transport, sourceRemote: "origin")
        guard let records = try? ledger.records(limit: 2_000) else { return nil }
        let done = Ledger.deployments(records).filter { $0.environment == environment && $0.state == .done }
        guard let current = done.firstIndex(where: { $0.commit == deployed.hex }) else { return nil }
        for record in done[(current + 1)...] where record.commit != deployed.hex {
            guard let tag = record.tag, case .release(let version, _) = TagName(tag, naming: settings.tagNaming), !version.isPrerelease,
                (try? reader.target(ofReference: RefName.tag(tag))) != nil
            else { continue }
            return (tag, version)
        }
        return nil
    }

    /// `previous`, or a tag that must be a final release tag; unknown tags list the nearest.
    private func resolveTag(
        _ requested: String, environment: String, deployed: ObjectID?, deployedVersions: [String],
        catalog: ReleaseCatalog
    ) throws(RevertError) -> (String, SemanticVersion) {
        if requested == "previous" {
            if let previous = previousFromLedger(environment: environment, deployed: deployed) {
                log("2. The ledger says \(environment) ran \(previous.0) before what runs now.")
                return previous
            }
            // Among the releases of the component the environment takes (a commit may carry
            // v1.1.0 and gax-v1.1.0 both).
            let component = releaseComponent(of: environment)
            let own = deployedVersions.filter { ReleaseRef(RefName.tag($0), naming: settings.tagNaming)?.component == component }
            guard let previous = try catalog.previous(before: deployed, deployedVersions: own, of: component) else {
                throw .noPrevious(deployed: own.first)
            }
            return (previous.name, previous.version)
        }
        guard try git({ () throws(GitError) in try repository.target(ofReference: RefName.tag(requested)) }) != nil else {
            throw .unknownTag(requested, nearest: try catalog.nearest(to: requested), deployed: deployedVersions.first)
        }
        switch TagName(requested, naming: settings.tagNaming) {
        case .release(let version, _) where !version.isPrerelease:
            return (requested, version)
        case .release:
            throw .notARelease(requested, reason: "it is a pre-release, and pre-releases never go to production")
        case .malformedVersion(let reason, _):
            throw .notARelease(requested, reason: reason)
        case .unversioned, .nonASCII, .floating:
            throw .notARelease(requested, reason: "release tags are v + MAJOR.MINOR.PATCH")
        }
    }

    /// An environment that takes release tags takes only its own: a component's tag never goes
    /// to the plain tags' prod, nor a plain one to a component's. One that takes none (preprod,
    /// where rollbacks are rehearsed) takes any release.
    private func checkTakesReleases(of tag: String, _ environment: Environment) throws(RevertError) {
        let takesReleases = environment.refs.contains {
            switch $0 {
            case .releaseTags, .componentReleaseTags: true
            case .exact, .glob: false
            }
        }
        let ref = RefName.tag(tag)
        guard takesReleases, !environment.matches(ref, naming: settings.tagNaming) else { return }
        let mapped = settings.environments.filter { $0.matches(ref, naming: settings.tagNaming) }.map(\.name)
        throw .deploysElsewhere(ref: ref, requested: environment.name, mapped: mapped, map: environmentMap)
    }

    /// Each environment and the refs it takes, for messages.
    var environmentMap: [(String, [String])] {
        settings.environments.map { ($0.name, $0.refs.map(\.description)) }
    }

    /// The component whose release tags `environment` takes (`release-tags:NAME`), else the
    /// plain `v` tags: where `previous` looks when what runs carries no release tag.
    private func releaseComponent(of environment: String) -> TagComponent {
        for pattern in settings.environments.first(where: { $0.name == environment })?.refs ?? [] {
            if case .componentReleaseTags(let component) = pattern { return component }
        }
        return .plain
    }

    func remote(_ nameOrURL: String) throws(RevertError) -> Remote {
        try Remote.named(nameOrURL, in: repository)
    }

    func git<T>(_ body: () throws(GitError) -> T) throws(RevertError) -> T {
        do { return try body() } catch { throw .git(error) }
    }

    func read<T>(_ body: () throws(ReadError) -> T) throws(RevertError) -> T {
        do { return try body() } catch { throw .read(error) }
    }
}

/// Questions about the final release tags, each answered in one pass over the tag names
/// (packed-refs read in place) rather than one object per tag: at 100k tags it matters.
struct ReleaseCatalog {
    let repository: any RepositoryReading
    /// How tag names read (components, floating tags): a component's releases are its own.
    var naming = TagNaming.plain

    /// The final release a tag name is, with its component.
    private func release(_ name: String) -> (version: SemanticVersion, component: TagComponent)? {
        guard case .release(let version, let component) = TagName(name, naming: naming), !version.isPrerelease else { return nil }
        return (version, component)
    }

    /// Final release tags at each of `commits`, highest first.
    func releaseTags(at commits: Set<ObjectID>) throws(RevertError) -> [ObjectID: [String]] {
        let found: [ObjectID: [String]]
        do { found = try repository.tagNames(pointingAt: commits) } catch { throw .read(error) }
        return found.mapValues { names in
            names.compactMap { name in release(name).map { (name, $0.version) } }.sorted { $0.1 > $1.1 }.map(\.0)
        }
    }

    /// The release before the one deployed: the highest below the deployed version when the
    /// deployed commit carries one, else the highest release strictly behind the deployed commit.
    func previous(
        before deployed: ObjectID?, deployedVersions: [String], of component: TagComponent = .plain
    ) throws(RevertError) -> (name: String, version: SemanticVersion)? {
        guard let deployed else { return nil }
        let releases = try allReleases(of: component)
        if let current = deployedVersions.first.flatMap({ release($0)?.version }) {
            return releases.last { $0.version < current }
        }
        for release in releases.reversed() {
            do {
                if let id = try repository.target(ofReference: RefName.tag(release.name)), let commit = try repository.peeledCommit(of: id),
                    commit != deployed, try repository.isAncestor(commit, of: deployed, many: false)
                {
                    return release
                }
            } catch {
                throw .read(error)
            }
        }
        return nil
    }

    /// Up to five release tags around the version `requested` spells (else the latest five).
    func nearest(to requested: String) throws(RevertError) -> [String] {
        let spelled = TagName.spelledVersion(of: requested, naming: naming)
        let releases = try allReleases(of: spelled?.component ?? .plain)
        guard let version = spelled?.version else { return releases.suffix(5).reversed().map(\.name) }
        let index = releases.firstIndex { $0.version >= version } ?? releases.count
        return releases[max(0, index - 3)..<min(releases.count, index + 2)].reversed().map(\.name)
    }

    /// Every final release tag of `component`, ascending.
    private func allReleases(of component: TagComponent) throws(RevertError) -> [(name: String, version: SemanticVersion)] {
        var releases: [(String, SemanticVersion)] = []
        do {
            try repository.forEachTagName(of: component) { bytes, afterStem in
                guard afterStem.first == UInt8(ascii: "v") else { return }
                let name = String(decoding: bytes, as: UTF8.self)
                if let release = release(name), release.component == component { releases.append((name, release.version)) }
            }
        } catch {
            throw .read(error)
        }
        return releases.sorted { $0.1 < $1.1 }
    }
}
