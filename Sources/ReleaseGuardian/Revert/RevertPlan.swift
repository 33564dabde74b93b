import Git

/// What a deployment command does to an environment: the ledger's `action`.
public enum DeploymentAction: String, Sendable {
    /// Forward: a ref's commit to the environment its map names.
    case deploy
    /// Back to a release tag.
    case revertTo = "revert-to"
    /// Back to what ran before the environment's last record.
    case undo
}

/// What `deploy`, `revert-to` or `undo` asks for.
public struct RevertRequest: Sendable {
    public var action: DeploymentAction
    /// `revert-to`: a release tag, or `previous`. `deploy`: the ref (nil: the CI's ref, else the
    /// current branch). `undo`: nil.
    public var ref: String?
    /// nil: `prod` for `revert-to`, the map's for `deploy`, the last record's for `undo`.
    public var environment: String?
    /// Refuse unless every target's head is this commit.
    public var expect: ObjectID?
    public var allowDivergent = false
    public var reason: String?
    public var sourceRemote = "origin"
    /// Go ahead without the rehearsal `rehearseIn` asks for (recorded in the ledger).
    public var skipRehearsal = false
    /// Roll back across a migration gap without a `before` command (recorded).
    public var acceptMigrationGap = false

    public init(action: DeploymentAction, ref: String?) {
        self.action = action
        self.ref = ref
    }

    /// A `revert-to` request.
    public init(tag: String) {
        self.init(action: .revertTo, ref: tag)
    }

    /// Whether `text` is what `--expect` takes: a full 40-digit commit id.
    public static func isCommitID(_ text: String) -> Bool {
        ObjectID(hex: text) != nil
    }

    /// `expect` as its 40 hexadecimal digits (anything else sets none).
    public var expectedCommit: String? {
        get { expect?.hex }
        set { expect = newValue.flatMap(ObjectID.init(hex:)) }
    }
}

/// A deployment planned and checked, before anything changes.
public struct RevertPlan: Sendable {
    public struct Target: Sendable {
        public let target: DeployTarget
        /// The remote's URL, credentials removed.
        public let url: String
        /// What is deployed now (nil: the branch does not exist there).
        public let current: ObjectID?
        /// Release tags at the current head, highest first.
        public let currentVersions: [String]
        /// Commits deployed now that the push takes out, newest first.
        public let undeployed: [CommitSummary]
        /// More un-deployed commits than listed.
        public let undeployedTruncated: Bool
        /// Commits the push puts live, newest first.
        public let going: [CommitSummary]
        public let goingTruncated: Bool
        /// The current head is lost by the push unless kept: it is not in the new commit's history.
        public let needsBackup: Bool

        /// Already at the new commit: nothing to push.
        public func isDone(for commit: ObjectID) -> Bool { current == commit }
    }

    public let request: RevertRequest
    public let action: DeploymentAction
    public let environment: String
    /// The full ref deployed: `refs/tags/v1.2.0`, `refs/heads/main`, or the backup an undo puts back.
    public let ref: String
    /// The release tag at the new commit, when there is one.
    public let tag: String?
    public let version: SemanticVersion?
    public let commit: ObjectID
    /// `revert-to` only: `release/vX.Y.Z`, as a full ref name.
    public let releaseBranch: String?
    public let releaseBranchExists: Bool
    public let targets: [Target]
    /// What was checked on the way, for the record (`rehearsal`, `rules`, …).
    public var checks: [LedgerRecord.Check]
    /// Who runs it, when the pipeline says (`alice via GitHub Actions`); else the git identity.
    public var who: String?
    /// Where the team is told (`notify.*`).
    public var notice = NoticeSettings()
    /// `[migrations]`: the migration files what runs now has and the new commit lacks.
    public var migrationGap: MigrationGap?
    /// The environment's `before` and `after` commands.
    public var before: [StepCommand] = []
    public var after: [StepCommand] = []

    /// How the new commit is named to people: `v1.2.0`, or `main@1a2b3c4`.
    public var label: String {
        tag ?? "\(RefName.short(ref))@\(commit.short)"
    }

    public var isNoOp: Bool { targets.allSatisfy { $0.isDone(for: commit) } }
}

/// Why a rollback was refused (exit 1, nothing changed) or could not run (exit 2).
public enum RevertError: Error, CustomStringConvertible {
    // Refusals.
    case shallow
    case unknownTag(String, nearest: [String], deployed: String?)
    case notARelease(String, reason: String)
    case noPrevious(deployed: String?)
    case unknownEnvironment(String, known: [String])
    case unexpectedHead(target: String, expected: ObjectID, found: ObjectID?)
    case divergent(target: String, tag: String, current: ObjectID)
    case violations([Violation])
    case releaseBranchElsewhere(branch: String, at: ObjectID, tag: String, commit: ObjectID)
    case notConfirmed(needed: String)
    case needsConfirmation
    case moved(target: String, planned: ObjectID?, found: ObjectID?)
    /// Another deployer moved the target between the plan and the push: `found` runs there now.
    case leaseBroken(target: String, planned: ObjectID?, found: ObjectID?, foundVersions: [String], changed: [String])
    /// `deploy` of a commit behind what a target runs.
    case isRollback(
        target: String, ref: String, commit: ObjectID, current: ObjectID, currentVersions: [String], releaseTags: [String],
        environment: String)
    /// In a pipeline: the commit it built is not in the history of the ref it builds.
    case ciCommitElsewhere(ref: String, built: ObjectID, refCommit: ObjectID)
    /// `undo` cannot tell what to put back, or what runs is not what the last record left.
    case cannotUndo(environment: String?, reason: String)
    // Could not run.
    /// `deploy` of a ref the map sends nowhere (`map`: each environment and its refs).
    case deploysNowhere(ref: String, map: [(String, [String])])
    /// `deploy` of a floating tag (`v7`): an alias, which deploys nowhere itself.
    case floatingTag(ref: String, line: String)
    case deploysElsewhere(ref: String, requested: String, mapped: [String], map: [(String, [String])])
    case notOnSourceRemote(branch: String, remote: String)
    case notACommit(ref: String)
    case ref(RefError)
    case judging(CIError)
    /// No repository around the directory it ran in, or one whose git config libgit2 cannot read.
    case repository(GitError)
    case noTargets(environment: String)
    /// A rollback across a migration gap, with no `before` command to bring the schema back.
    case migrationGap(environment: String, lines: [String], commands: [String])
    /// A `before` command failed: nothing was pushed.
    case beforeFailed(command: String, result: String, lastLines: [String])
    /// Every target was pushed, but an `after` command failed.
    case verificationFailed(environment: String, failed: [String])
    /// `rehearseIn`: no successful rollback to this commit in that environment recently enough.
    case notRehearsed(tag: String, environment: String, rehearseIn: String, maxAge: Int)
    case remote(step: String, RemoteError, changed: [String])
    case git(GitError)
    case read(ReadError)
    case configuration(ConfigurationError)
    case policy(PolicyError)
    /// The push is done; only the `--report` file is missing.
    case reportNotWritten(path: String, detail: String)

    public var isRefusal: Bool {
        switch self {
        case .repository, .noTargets, .remote, .git, .read, .configuration, .policy, .reportNotWritten, .deploysNowhere,
            .floatingTag, .deploysElsewhere, .notOnSourceRemote, .notACommit, .ref, .judging:
            false
        default: true
        }
    }

    public var description: String {
        switch self {
        case .shallow:
            return
                "this clone is shallow, so the rollback cannot be checked against history. Run `git fetch --unshallow --tags origin` and try again."
        case .unknownTag(let tag, let nearest, let deployed):
            return "there is no tag \(tag). Nearest release tags: \(nearest.isEmpty ? "none" : nearest.joined(separator: ", "))."
                + (deployed.map { " Deployed now: \($0)." } ?? "")
        case .notARelease(let tag, let reason):
            return "\(tag) is not a release tag that can go to production: \(reason)."
        case .noPrevious(let deployed):
            return "there is no release before \(deployed ?? "what is deployed") to go back to."
        case .unknownEnvironment(let name, let known):
            return "no environment named \(name) (known: \(known.joined(separator: ", ")))."
        case .unexpectedHead(let target, let expected, let found):
            return "\(target) is at \(found?.short ?? "nothing"), not \(expected.short) as --expect says. Nothing was changed."
        case .divergent(let target, let tag, let current):
            return
                "\(tag) is not an ancestor of what \(target) runs now (\(current.short)): this would not be a rollback but a jump to another history. Check the tag; pass --allow-divergent only if this is really what you want."
        case .violations(let violations):
            return "the rules refuse it: " + violations.map { "[\($0.rule.rawValue)] \($0.message) Fix: \($0.fix)" }.joined(separator: " ")
        case .releaseBranchElsewhere(let branch, let at, let tag, let commit):
            return
                "\(branch) already exists at \(at.short), not at \(tag)'s commit \(commit.short). Look at it, then delete or rename it (`git branch -m \(shellQuoted(RefName.short(branch))) \(shellQuoted(RefName.short(branch) + "-old"))`) and run again."
        case .notConfirmed(let needed):
            return "not confirmed (the answer was not \(needed)). Nothing was changed."
        case .needsConfirmation:
            return "no terminal to confirm on: pass --yes to confirm, or --dry-run to see the plan. Nothing was changed."
        case .moved(let target, let planned, let found):
            return
                "\(target) moved while the plan was shown (\(planned?.short ?? "nothing") → \(found?.short ?? "nothing")): someone else deployed. Nothing was changed; run the command again to see the new plan."
        case .leaseBroken(let target, let planned, let found, let versions, let changed):
            let now = found.map { $0.short + RevertReport.versionSuffix(versions) } ?? "nothing"
            return
                "someone deployed meanwhile: \(target) runs \(now) now, not \(planned?.short ?? "nothing") as planned, so nothing was pushed there."
                + Self.changedSentence(changed) + " Look at what runs now, then plan again (the same command shows the new plan)."
        case .isRollback(let target, let ref, let commit, let current, let currentVersions, let releaseTags, let environment):
            let now = current.short + RevertReport.versionSuffix(currentVersions)
            let back =
                releaseTags.first.map { "`release-guardian revert-to \(shellQuoted($0)) --env \(shellQuoted(environment))`" }
                ?? "`release-guardian revert-to TAG --env \(shellQuoted(environment))`"
            return
                "that is a rollback: use revert-to. \(target) runs \(now), which already contains \(ref) (\(commit.short)); deploy goes forward only. Go back with \(back), which keeps a backup, checks the rehearsal and writes the release branch. Nothing was changed."
        case .ciCommitElsewhere(let ref, let built, let refCommit):
            return
                "the pipeline built \(built.short), which is not in the history of \(RefName.short(ref)) (\(refCommit.short)) or, for a tag, not its commit: it would deploy a commit the ref never had. Nothing was changed."
        case .migrationGap(let environment, let lines, let commands):
            return
                "safeguard migration-gap: \(lines.joined(separator: " "))"
                + " Old code would run against a newer schema. Fix: give \(environment) a before command that brings the database back (`before = \"…\"` in [environment \"\(environment)\"]; it gets RELEASE_GUARDIAN_MIGRATION_TARGET)"
                + (commands.isEmpty ? "" : ", such as \(commands.map { "`\($0)`" }.joined(separator: " then "))")
                + ", or run it yourself and pass --accept-migration-gap (recorded). Nothing was changed."
        case .beforeFailed(let command, let result, let lastLines):
            return
                "safeguard before: the before command `\(command)` failed (\(result))\(lastLines.isEmpty ? "" : ", saying: " + lastLines.map { "\"\($0)\"" }.joined(separator: " / ")). Nothing was pushed; fix it and run the same command again."
        case .verificationFailed(let environment, let failed):
            return
                "verification failed: every target was pushed, but \(failed.map { "`\($0)`" }.joined(separator: ", ")) failed. Check \(environment) now; to put back what ran before: `release-guardian undo --env \(shellQuoted(environment))`."
        case .cannotUndo(let environment, let reason):
            return "nothing to undo\(environment.map { " on \($0)" } ?? ""): \(reason). Nothing was changed."
        case .deploysNowhere(let ref, let map):
            return
                "\(RefName.short(ref)) (\(ref)) deploys nowhere. The map: \(Self.mapText(map)). Deploy a ref it names, or add one to .release-guardian: [environment \"NAME\"] ref = \(ref)."
        case .floatingTag(let ref, let line):
            let name = RefName.short(ref)
            return
                "\(name) is a floating tag, an alias of the highest release of line \(line): it deploys nowhere itself. Deploy that release's own tag (`git tag --points-at \(shellQuoted(name + "^{commit}"))` names it). Nothing was changed."
        case .deploysElsewhere(let ref, let requested, let mapped, let map):
            return
                "\(RefName.short(ref)) does not deploy to \(requested)\(mapped.isEmpty ? "" : " (it deploys to \(mapped.joined(separator: ", ")))"). The map: \(Self.mapText(map)). Nothing was changed."
        case .notOnSourceRemote(let name, let remote):
            return
                "\(name) is not on \(remote): only what the team pushed there goes to an environment (the hooks judged it, the team can see it). Push it first (`git push \(shellQuoted(remote)) \(shellQuoted(name))`)."
        case .notACommit(let ref):
            return
                "\(ref) does not name a commit here. Fetch it, or check the name (`git rev-parse --verify \(shellQuoted(ref + "^{commit}"))`)."
        case .ref(let error):
            return "\(error)"
        case .judging(let error):
            return "\(error)"
        case .repository(let error):
            return ReadError.git(error).openingDescription
        case .notRehearsed(let tag, let environment, let rehearseIn, let maxAge):
            let age = maxAge % 3_600 == 0 ? "\(maxAge / 3_600)h" : "\(maxAge)s"
            return
                "safeguard rehearsal: \(environment) is rolled back only to what was rolled back in \(rehearseIn) first (rehearseIn), and the ledger holds no successful `revert-to \(tag)` on \(rehearseIn) in the last \(age). Rehearse it: `release-guardian revert-to \(shellQuoted(tag)) --env \(shellQuoted(rehearseIn))`, check \(rehearseIn), then run this again; or go ahead with --skip-rehearsal (recorded in the ledger)."
        case .noTargets(let environment):
            return
                "the environment \(environment) has no deploy target. Add one to .release-guardian: [environment \"\(environment)\"] target = REMOTE BRANCH."
        case .remote(let step, let error, let changed):
            return "\(step): \(TransportPolicy.explain(error))" + Self.changedSentence(changed)
        case .git(let error):
            return "git: \(error.message)"
        case .read(let error):
            return "git: \(error.message)"
        case .configuration(let error):
            return "\(error)"
        case .policy(let error):
            return "\(error)"
        case .reportNotWritten(let path, let detail):
            return "it is done (see the steps above), but the report could not be written to \(path): \(detail)"
        }
    }

    /// The same error, saying that `changed` targets were already changed.
    func changing(_ changed: [String]) -> RevertError {
        switch self {
        case .remote(let step, let error, _): .remote(step: step, error, changed: changed)
        case .leaseBroken(let target, let planned, let found, let versions, _):
            .leaseBroken(target: target, planned: planned, found: found, foundVersions: versions, changed: changed)
        default: self
        }
    }

    static func mapText(_ map: [(String, [String])]) -> String {
        map.isEmpty ? "no environment is configured" : map.map { "\($0.0) ← \($0.1.joined(separator: ", "))" }.joined(separator: "; ")
    }

    static func changedSentence(_ changed: [String]) -> String {
        changed.isEmpty
            ? " No target was changed."
            : " Already changed: \(changed.joined(separator: "; ")). Run the same command again to finish the job."
    }
}

extension Remote {
    /// The remote by configured name or URL, for the rollback's steps.
    static func named(_ nameOrURL: String, in repository: Repository) throws(RevertError) -> Remote {
        do { return try Remote(nameOrURL, in: repository) } catch { throw .git(error) }
    }
}
