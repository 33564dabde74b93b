import Foundation
import Git

/// A hook release-guardian installs.
public enum Hook: Sendable {
    /// On a developer's clone: checks what a push would write before it leaves.
    case prePush
    /// On a server's repository: checks every push it receives.
    case preReceive
    /// On a server's repository: checks each ref again at the moment git writes it.
    case referenceTransaction

    /// The hooks `install --server` writes.
    public static let server: [Hook] = [.preReceive, .referenceTransaction]

    var fileName: String {
        switch self {
        case .prePush: "pre-push"
        case .preReceive: "pre-receive"
        case .referenceTransaction: "reference-transaction"
        }
    }

    public var script: String {
        switch self {
        case .prePush: Self.prePushScript
        case .preReceive: Self.preReceiveScript
        case .referenceTransaction: Self.referenceTransactionScript
        }
    }

    /// The line that tells our hook from a foreign one.
    var marker: String { "# release-guardian \(fileName) hook" }

    /// Where a hook that was already there goes; ours runs it first.
    var chainedName: String { fileName + ".chained" }
}

/// Installs release-guardian's hooks into a repository without losing a hook it finds.
public struct HookInstaller {
    /// The line that names the binary; `install` replaces it with the installing binary's path.
    static let binaryLine = "release_guardian=release-guardian"

    public enum Outcome: Equatable, Sendable {
        case installed
        case updated
        /// A foreign hook was there: it was moved beside ours and still runs first.
        case chained(movedTo: String)
    }

    public struct Result: Equatable, Sendable {
        public let hookPath: String
        public let outcome: Outcome
    }

    public init() {}

    /// Writes `hook` into the hooks directory git uses for `repository` (honouring
    /// `core.hooksPath`). `binaryPath` is written into the hook so that it runs this very binary
    /// whatever the PATH git runs hooks with.
    public func install(_ kind: Hook, in repository: Repository, binaryPath: String?) throws(InstallError) -> Result {
        if kind == .prePush && repository.isBare { throw .bareRepository(repository.gitDirectory) }
        let directory = try hooksDirectory(of: repository)
        let hook = directory + "/" + kind.fileName
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory, detail: error.localizedDescription)
        }
        var outcome = Outcome.installed
        if files.fileExists(atPath: hook) || (try? files.destinationOfSymbolicLink(atPath: hook)) != nil {
            let existing = (try? String(contentsOfFile: hook, encoding: .utf8)) ?? ""
            if existing.contains(kind.marker) {
                outcome = .updated
            } else {
                let chained = directory + "/" + kind.chainedName
                guard !files.fileExists(atPath: chained) else { throw .chainedHookExists(hook: hook, chained: chained) }
                do {
                    try files.moveItem(atPath: hook, toPath: chained)
                } catch {
                    throw .io(path: hook, detail: error.localizedDescription)
                }
                outcome = .chained(movedTo: chained)
            }
        }
        try write(Self.script(kind, binaryPath: binaryPath), to: hook)
        return Result(hookPath: hook, outcome: outcome)
    }

    static func script(_ kind: Hook, binaryPath: String?) -> String {
        guard let binaryPath else { return kind.script }
        return kind.script.replacingOccurrences(of: binaryLine + "\n", with: "release_guardian=\(shellQuoted(binaryPath))\n")
    }

    /// `core.hooksPath` (relative to the working tree, `~` expanded) or the common `hooks/`.
    func hooksDirectory(of repository: Repository) throws(InstallError) -> String {
        let configured: String?
        do {
            configured = try repository.configuration().string("core.hookspath")
        } catch {
            throw .io(path: repository.gitDirectory + "config", detail: error.message)
        }
        guard var path = configured, !path.isEmpty else {
            return repository.commonDirectory + "hooks"
        }
        if path.hasPrefix("~/") {
            path = NSHomeDirectory() + path.dropFirst()
        } else if !path.hasPrefix("/") {
            path = (repository.workingDirectory ?? repository.gitDirectory) + path
        }
        return path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Writes through a temporary file and a rename, so a failure never leaves half a hook.
    private func write(_ text: String, to path: String) throws(InstallError) {
        let temporary = path + ".release-guardian-tmp"
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
            guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .io(path: path, detail: error.localizedDescription)
        }
    }
}

/// Why the hook could not be installed.
public enum InstallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--repo` (or the current directory) is no repository: the sentence that says so.
    case notARepository(String)
    case bareRepository(String)
    case chainedHookExists(hook: String, chained: String)
    case io(path: String, detail: String)
    /// The policy given to `install --server` (or committed on main) cannot be used.
    case invalidPolicy(String)

    public var description: String {
        switch self {
        case .notARepository(let detail):
            detail
        case .bareRepository(let path):
            "\(path) is a bare repository: a pre-push hook runs on a developer's clone. Run `release-guardian install` inside a clone, or `release-guardian install --server` to guard this repository as a server."
        case .chainedHookExists(let hook, let chained):
            "\(hook) is not release-guardian's, and \(chained) already exists, so the hook cannot be kept by moving it there. Merge the two by hand (or remove one), then run `release-guardian install` again. Nothing was changed."
        case .io(let path, let detail):
            "cannot write \(path): \(detail)"
        case .invalidPolicy(let detail):
            "the server's policy cannot be written: \(detail) Nothing was installed."
        }
    }
}
