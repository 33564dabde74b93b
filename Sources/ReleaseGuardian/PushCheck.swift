import Git

/// The pre-push check: git's hook input in, a verdict out.
public struct PushCheck {
    public struct Verdict: Sendable {
        public let violations: [Violation]
        public var allowed: Bool { violations.isEmpty }
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
        if updates.isEmpty { return Verdict(violations: []) }
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
