import Git

/// What `revert-to` asks for.
public struct RevertRequest: Sendable {
    /// A release tag, or `previous` for the release before the one deployed now.
    public var tag: String
    public var environment = "prod"
    /// Refuse unless every target's head is this commit.
    public var expect: ObjectID?
    public var allowDivergent = false
    public var reason: String?
    public var sourceRemote = "origin"
    /// Go ahead without the rehearsal `rehearseIn` asks for (recorded in the ledger).
    public var skipRehearsal = false

    public init(tag: String) {
        self.tag = tag
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

/// A rollback planned and checked, before anything changes.
public struct RevertPlan: Sendable {
    public struct Target: Sendable {
        public let target: DeployTarget
        /// The remote's URL, credentials removed.
        public let url: String
        /// What is deployed now (nil: the branch does not exist there).
        public let current: ObjectID?
        /// Release tags at the current head, highest first.
        public let currentVersions: [String]
        /// Commits deployed now that the rollback takes out, newest first.
        public let undeployed: [CommitSummary]
        /// More un-deployed commits than listed.
        public let undeployedTruncated: Bool

        /// Already at the tag's commit: nothing to push.
        public func isDone(for commit: ObjectID) -> Bool { current == commit }
    }

    public let request: RevertRequest
    public let environment: String
    public let tag: String
    public let version: SemanticVersion
    public let commit: ObjectID
    /// `release/vX.Y.Z`, as a full ref name.
    public let releaseBranch: String
    public let releaseBranchExists: Bool
    public let targets: [Target]

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
    // Could not run.
    /// No repository around the directory it ran in, or one whose git config libgit2 cannot read.
    case repository(GitError)
    case noTargets(environment: String)
    /// `rehearseIn`: no successful rollback to this commit in that environment recently enough.
    case notRehearsed(tag: String, environment: String, rehearseIn: String, maxAge: Int)
    case remote(step: String, RemoteError, changed: [String])
    case git(GitError)
    case read(ReadError)
    case configuration(ConfigurationError)
    case policy(PolicyError)
    /// The rollback is done; only the `--report` file is missing.
    case reportNotWritten(path: String, detail: String)

    public var isRefusal: Bool {
        switch self {
        case .repository, .noTargets, .remote, .git, .read, .configuration, .policy, .reportNotWritten: false
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
            return "the rollback is done, but the report could not be written to \(path): \(detail)"
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
