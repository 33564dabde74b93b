import Git

/// The pre-push check: git's hook input in, a verdict out.
public struct PushCheck {
    public struct Verdict: Sendable {
        public let violations: [Violation]
        /// The input held no ref at all, so nothing was judged (see `EmptyInput`).
        public var sawNoRef = false
        public var allowed: Bool { violations.isEmpty }
    }

    /// What `check` says when its input holds no ref. git gives no lines when it has nothing to
    /// push (our hook then does not call `check`), and a hook manager that does not pass git's
    /// stdin on gives none either: a push that nobody judged must not look like one that passed.
    public enum EmptyInput: Equatable, Sendable {
        /// Allowed, with this warning.
        case warning(String)
        /// Under pre-commit, which never gives its hooks git's stdin: exit 2 with this error.
        case unusable(String)

        /// `environment` answers a variable's value (nil when unset).
        public init(environment: (String) -> String?) {
            if environment("PRE_COMMIT") == "1" {
                self = .unusable(
                    "pre-commit runs its hooks without git's stdin (the refs being pushed) and runs none for a push of tags only, so `release-guardian check` cannot guard pushes as a pre-commit hook. Remove it from .pre-commit-config.yaml and run `release-guardian install`: it installs itself as pre-commit's pre-push.legacy, which pre-commit's own pre-push hook runs first, with git's stdin."
                )
            } else {
                self = .warning(
                    "no refs on stdin, so nothing was checked. git gives none only when it has nothing to push; a hook manager that does not pass git's stdin on to release-guardian leaves every push unchecked (README: Hook managers)."
                )
            }
        }
    }

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Parses `input` (githooks(5) pre-push lines) and applies the policy as the client sees it:
    /// the remote's branches through `refs/remotes/<remote>/`.
    public func run(input: String, remote: String?) throws(CheckError) -> Verdict {
        let updates: [RefUpdate]
        do {
            updates = try RefUpdate.parsePrePush(input)
        } catch {
            throw .input(error)
        }
        if updates.isEmpty { return Verdict(violations: [], sawNoRef: true) }
        let repository: OpenRepository
        do {
            repository = try OpenRepository.open(from: directory)
        } catch {
            switch error {
            case .repository(let error): throw .repository(error)
            case .configuration(let error): throw .configuration(error)
            }
        }
        // A push of feature branches only is allowed without reading anything else.
        let settings = repository.settings
        guard updates.contains(where: { $0.oldID != $0.newID && RefKind($0.ref, settings: settings).isGuarded }) else {
            return Verdict(violations: [])
        }
        do {
            let violations = try Policy(settings: settings).evaluate(updates, in: repository.reader, vantage: .client(remote: remote))
            return Verdict(violations: violations)
        } catch {
            throw .policy(error)
        }
    }
}

/// Why a check could not run; exit 2.
public enum CheckError: Error, CustomStringConvertible {
    case input(HookInputError)
    case repository(ReadError)
    case configuration(ConfigurationError)
    case policy(PolicyError)
    /// The server's transaction lock stayed held by another push.
    case busy(String)
    /// The server's transaction lock cannot be opened.
    case lock(String)

    public var description: String {
        switch self {
        case .input(let error): "\(error)"
        case .repository(let error): error.openingDescription
        case .configuration(let error): "\(error)"
        case .policy(let error): "\(error)"
        case .busy(let path):
            "another push to this repository held \(path) for 20 s, so this ref was not written: push again. A push's lock ends with its git process, at most a minute after it started."
        case .lock(let detail):
            "cannot open the server's transaction lock (\(detail)); nothing was written. The server's owner must make it a writable file."
        }
    }
}
