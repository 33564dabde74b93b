import Git

/// `release-guardian ci`: in a pipeline, checks the ref being built with the rules that can be
/// judged after the fact, and says where it deploys.
public struct CICheck {
    public struct Options {
        public var ref: String?
        public var remote = "origin"
        /// Deepen a shallow clone with the git CLI (libgit2 1.5 cannot); when false, a shallow
        /// clone is an error that names the fix.
        public var deepen = true
        public var directory: String
        public var environment: [String: String]

        public init(ref: String?, directory: String, environment: [String: String]) {
            self.ref = ref
            self.directory = directory
            self.environment = environment
        }
    }

    public struct Outcome: Sendable {
        public let platform: CIPlatform?
        public let deployment: Deployment
        public let violations: [Violation]
        /// Rules applied to the ref.
        public let checked: [RuleID]
        /// What could not be judged from inside the pipeline, and why.
        public let notChecked: [String]
        /// Whether a shallow clone was deepened first.
        public let deepened: Bool
        /// The baseline under which the tag is history (not judged again), if it is.
        public let history: Baseline?
        public var allowed: Bool { violations.isEmpty }
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    public func run() throws(CIError) -> Outcome {
        let platform = CIPlatform.detect(options.environment)
        var (repository, reader) = try open()
        var deepened = false
        if repository.isShallow {
            guard options.deepen, let directory = repository.workingDirectory else {
                throw .shallow(fix: platform?.unshallowFix, detail: nil)
            }
            do {
                try GitCommandLine.unshallow(repository: directory, remote: options.remote)
            } catch {
                throw .shallow(fix: platform?.unshallowFix, detail: error.description)
            }
            (repository, reader) = try open()
            deepened = true
        }
        // In a pipeline the checkout is the ref being judged: the policy comes from main.
        let settings: Settings
        do {
            settings = try Settings.load(for: repository, reader: reader, remote: options.remote, environment: options.environment)
        } catch {
            throw .configuration(error)
        }
        let ref: String
        do { ref = try RefResolver.resolve(options.ref, in: reader, environment: { options.environment[$0] }) } catch { throw .ref(error) }
        let deployment = Deployment(ref: ref, settings: settings)
        let judged = try judge(ref, in: reader, settings: settings)
        return Outcome(
            platform: platform, deployment: deployment, violations: judged.violations, checked: judged.checked,
            notChecked: judged.notChecked, deepened: deepened, history: judged.history)
    }

    /// libgit2 for what only it does (the shallow check, settings, resolving the ref), and a
    /// reader over it that answers from the files where it can (the tags, at 100k of them).
    private func open() throws(CIError) -> (Repository, RepositoryReader) {
        do {
            let repository = try Repository.discover(from: options.directory)
            return (repository, RepositoryReader(repository))
        } catch {
            throw .opening(.git(error))
        }
    }

    typealias Judgement = (violations: [Violation], checked: [RuleID], notChecked: [String], history: Baseline?)

    func judge(_ ref: String, in repository: RepositoryReader, settings: Settings) throws(CIError) -> Judgement {
        let policy = Policy(settings: settings)
        let vantage = Vantage.client(remote: options.remote)
        let mainName = RefName.short(settings.mainBranch)
        switch RefKind(ref, settings: settings) {
        case .unguardedTag:
            return ([], [], ["\(RefName.short(ref)) is not a version tag: no tag rule applies"], nil)
        case .tag(let tagName):
            let name = RefName.short(ref)
            let id = try target(of: ref, in: repository, fix: "fetch the tags: `git fetch --tags \(shellQuoted(options.remote))`")
            let history: Baseline?
            do { history = try settings.history(ofTag: name, id: id, in: repository) } catch { throw .baseline(error) }
            if let history {
                return (
                    [], [],
                    [
                        "\(name) is history (\(history.key) = \(history.tag), \(history.source)): at or below it and made no later, so the tag rules do not judge it again; tag-immutable and tag-delete still refuse moving or deleting it at push time"
                    ], history
                )
            }
            _ = try target(
                of: RefName.remoteBranch(options.remote, mainName), in: repository, orElse: settings.mainBranch,
                fix: "the rules need main to judge a tag: fetch it (`git fetch \(shellQuoted(options.remote)) \(shellQuoted(mainName))`)")
            let later: Set<String>
            do { later = try TagHistory.tagsMadeAfter(name, id: id, naming: settings.tagNaming, in: repository) } catch {
                throw .repository(error)
            }
            let violations = try evaluate(
                policy, [RefUpdate(ref: ref, oldID: nil, newID: id)], in: repository, vantage: vantage, ignoring: later)
            if case .floating = tagName {
                return (
                    violations, [.tagFormat, .tagTarget, .tagFloating],
                    [
                        "tag-floating's moves backwards and deletions: they happen at push time; the pre-push and server hooks refuse them"
                    ], nil
                )
            }
            return (
                violations, [.tagFormat, .tagSpelling, .tagTarget, .tagAnnotated, .tagOnMain, .tagOrder, .tagSkip],
                ["tag-immutable, tag-delete: moving or deleting a tag happens at push time; the pre-push and server hooks refuse it"], nil
            )
        case .mainBranch:
            return (
                [], [],
                [
                    "main-force, main-delete: a rewrite of \(mainName) cannot be seen from inside the pipeline; the server hook (`release-guardian install --server`) or branch protection refuses it"
                ], nil
            )
        case .releaseBranch:
            let id = try target(of: ref, in: repository, fix: "fetch it: `git fetch \(shellQuoted(options.remote))`")
            let violations = try evaluate(
                policy, [RefUpdate(ref: ref, oldID: nil, newID: id)], in: repository, vantage: vantage, ignoring: [])
            return (violations, [.releaseBranch], [], nil)
        case .maintenanceBranch, .record, .unguarded:
            return ([], [], ["no rule guards \(ref)"], nil)
        }
    }

    private func evaluate(
        _ policy: Policy, _ updates: [RefUpdate], in repository: RepositoryReader, vantage: Vantage,
        ignoring: Set<String>
    ) throws(CIError) -> [Violation] {
        do { return try policy.evaluate(updates, in: repository, vantage: vantage, ignoringTags: ignoring) } catch { throw .policy(error) }
    }

    /// The id of `ref` (or of `orElse`), or an error saying what is missing and how to fetch it.
    @discardableResult
    private func target(
        of ref: String, in repository: RepositoryReader, orElse fallback: String? = nil, fix: String
    ) throws(CIError) -> ObjectID {
        do {
            for name in [ref] + (fallback.map { [$0] } ?? []) {
                if let id = try repository.target(ofReference: name) { return id }
            }
        } catch {
            throw .repository(error)
        }
        throw .incompleteClone(missing: ref, fix: fix)
    }
}

/// Why `ci` could not judge the ref; exit 2.
public enum CIError: Error, CustomStringConvertible {
    /// The repository around the directory cannot be opened (or there is none).
    case opening(ReadError)
    case repository(ReadError)
    case shallow(fix: String?, detail: String?)
    case incompleteClone(missing: String, fix: String)
    case configuration(ConfigurationError)
    case ref(RefError)
    case policy(PolicyError)
    case baseline(BaselineError)

    public var description: String {
        switch self {
        case .opening(let error):
            error.openingDescription
        case .repository(let error):
            "git: \(error.message)"
        case .shallow(let fix, let detail):
            "this clone is shallow (the CI default), so the tag rules cannot be judged: the other tags and main's history are missing"
                + (detail.map { ", and deepening it failed: \($0)" } ?? ".")
                + " Fix: "
                + (fix ?? "clone with full history (`git fetch --unshallow --tags origin '+refs/heads/*:refs/remotes/origin/*'`)") + "."
        case .incompleteClone(let missing, let fix):
            "\(missing) is not in this clone: \(fix)."
        case .configuration(let error): "\(error)"
        case .ref(let error): "\(error)"
        case .policy(let error): "\(error)"
        case .baseline(let error): "\(error)"
        }
    }
}
