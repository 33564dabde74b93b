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
        /// pre-commit's hook is the pre-push hook: ours is its `pre-push.legacy`, which it runs
        /// first with git's stdin. A hook that was there already was moved to `movedTo`.
        case underPreCommit(preCommitHook: String, movedTo: String?)
        /// husky runs the team's `.husky/pre-push`: our lines were put at its top, or updated.
        case inHusky(updated: Bool)
        /// lefthook already runs `release-guardian check` through this script: nothing to do.
        case runByLefthook
    }

    public struct Result: Equatable, Sendable {
        /// The file written (for lefthook, the script that runs us).
        public let hookPath: String
        public let outcome: Outcome
        /// The binary the hook runs; nil when it runs `release-guardian` from PATH (or
        /// `$RELEASE_GUARDIAN`), because the file goes to every clone.
        public let binaryPath: String?
        /// A hook manager's own hook that an earlier install had moved aside, put back here.
        public let restored: String?
    }

    public init() {}

    /// Writes `hook` into the hooks directory git uses for `repository` (honouring
    /// `core.hooksPath`), or where the hook manager that owns it runs it. `binaryPath` is written
    /// into the hook so that it runs this very binary whatever the PATH git runs hooks with,
    /// unless the hook is a file other clones get too (a tracked hooks directory, husky's).
    public func install(_ kind: Hook, in repository: Repository, binaryPath: String?) throws(InstallError) -> Result {
        if kind == .prePush && repository.isBare { throw .bareRepository(repository.gitDirectory) }
        let directory = try hooksDirectory(of: repository)
        let manager = kind == .prePush ? HookManager.managing(prePushIn: directory, workingDirectory: repository.workingDirectory) : nil
        switch manager {
        case .husky(let teamHook):
            let restored = try restoreMovedHook(directory + "/pre-push", stub: Self.huskyStub)
            let updated = try addHuskyLines(to: teamHook)
            return Result(hookPath: teamHook, outcome: .inHusky(updated: updated), binaryPath: nil, restored: restored)
        case .lefthook(let configuration):
            let work = repository.workingDirectory ?? ""
            if let configuration, let script = HookManager.lefthookScript(in: work, configuration: configuration) {
                return Result(hookPath: script, outcome: .runByLefthook, binaryPath: nil, restored: nil)
            }
            throw .lefthookManagesPrePush(configuration: configuration ?? work + "lefthook.yml")
        case .preCommit:
            let hook = directory + "/pre-push"
            let restored = try restoreMovedHook(hook, stub: nil)
            // A copy of pre-commit's script left beside ours by an earlier install would run
            // pre-commit again from its legacy hook, which it refuses ("migration mode").
            let stale = directory + "/" + kind.chainedName
            if let text = HookManager.contents(stale), HookManager.isPreCommit(text) { try remove(stale) }
            let legacy = try place(kind, at: hook + ".legacy", chained: stale, binaryPath: binaryPath)
            let movedTo: String? = if case .chained(let path) = legacy.outcome { path } else { nil }
            return Result(
                hookPath: legacy.hookPath, outcome: .underPreCommit(preCommitHook: hook, movedTo: movedTo),
                binaryPath: binaryPath, restored: restored)
        case nil:
            let shared = try isShared(directory, in: repository)
            return try place(
                kind, at: directory + "/" + kind.fileName, chained: directory + "/" + kind.chainedName,
                binaryPath: shared ? nil : binaryPath)
        }
    }

    /// Writes our `kind` hook at `hook`; a foreign hook there is moved to `chained`, which ours runs first.
    private func place(_ kind: Hook, at hook: String, chained: String, binaryPath: String?) throws(InstallError) -> Result {
        let files = FileManager.default
        let directory = (hook as NSString).deletingLastPathComponent
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory, detail: error.localizedDescription)
        }
        var outcome = Outcome.installed
        if files.fileExists(atPath: hook) || (try? files.destinationOfSymbolicLink(atPath: hook)) != nil {
            let existing = HookManager.contents(hook) ?? ""
            if existing.contains(kind.marker) {
                outcome = .updated
            } else {
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
        return Result(hookPath: hook, outcome: outcome, binaryPath: binaryPath, restored: nil)
    }

    /// When `hook` is ours (an earlier install put it before a hook manager's), puts the manager's
    /// hook back from `<hook>.chained`, or writes `stub` when that is gone. Returns `hook` when it did.
    private func restoreMovedHook(_ hook: String, stub: String?) throws(InstallError) -> String? {
        guard HookManager.contents(hook)?.contains(Hook.prePush.marker) == true else { return nil }
        let chained = hook + ".chained"
        if FileManager.default.fileExists(atPath: chained) {
            guard rename(chained, hook) == 0 else { throw .io(path: hook, detail: String(cString: strerror(errno))) }
        } else if let stub {
            try write(stub, to: hook)
        } else {
            return nil
        }
        return hook
    }

    /// husky 9.1's stub for a hook in `.husky/_/`.
    static let huskyStub = "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\""

    /// Puts `Hook.huskyLines` at the top of `teamHook` (after its `#!` line), or replaces them
    /// there. Returns whether they were there already.
    private func addHuskyLines(to teamHook: String) throws(InstallError) -> Bool {
        let exists = FileManager.default.fileExists(atPath: teamHook)
        guard let text = exists ? HookManager.contents(teamHook) : "" else {
            throw .io(
                path: teamHook, detail: "it cannot be read as UTF-8 text, so release-guardian's lines cannot be added; nothing was changed")
        }
        // The team's file keeps its mode (husky runs it with `sh -e`, executable or not).
        let permissions = (try? FileManager.default.attributesOfItem(atPath: teamHook)[.posixPermissions] as? Int) ?? 0o644
        let marker = Hook.prePush.marker
        if let start = text.range(of: marker), let end = text.range(of: Hook.huskyLinesEnd, range: start.upperBound..<text.endIndex) {
            try write(
                text.replacingCharacters(in: start.lowerBound..<end.upperBound, with: Hook.huskyLines), to: teamHook,
                permissions: permissions)
            return true
        }
        var lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let position = lines.first?.hasPrefix("#!") == true ? 1 : 0
        lines.insert(String(Hook.huskyLines.dropLast()), at: position)
        var result = lines.joined(separator: "\n")
        if !result.hasSuffix("\n") { result += "\n" }
        try write(result, to: teamHook, permissions: permissions)
        return false
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
        // `~` as git expands it: `$HOME`, or a user's home for `~user`.
        if path == "~" || path.hasPrefix("~/") {
            guard let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else {
                throw .io(path: path, detail: "core.hooksPath starts with ~ and HOME is not set")
            }
            path = home + path.dropFirst()
        } else if path.hasPrefix("~") {
            let user = String(path.dropFirst().prefix { $0 != "/" })
            guard let entry = getpwnam(user), let home = entry.pointee.pw_dir else {
                throw .io(path: path, detail: "core.hooksPath names the home of \(user), a user this machine does not know")
            }
            path = String(cString: home) + path.dropFirst(1 + user.count)
        } else if !path.hasPrefix("/") {
            path = (repository.workingDirectory ?? repository.gitDirectory) + path
        }
        path = (path as NSString).standardizingPath
        return path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Whether a hook written in `directory` goes to other clones: the directory is in the
    /// working tree, outside `.git`, and not ignored. Such a hook must not name this machine's binary.
    func isShared(_ linked: String, in repository: Repository) throws(InstallError) -> Bool {
        // Where the files really are: `.git/hooks` may be a link to a tracked directory.
        let directory = URL(fileURLWithPath: linked).resolvingSymlinksInPath().path
        guard let linkedWork = repository.workingDirectory else { return false }
        var work = URL(fileURLWithPath: linkedWork).resolvingSymlinksInPath().path
        if !work.hasSuffix("/") { work += "/" }
        guard directory.hasPrefix(work) else { return false }
        for gitDirectory in [repository.gitDirectory, repository.commonDirectory]
        where (directory + "/").hasPrefix(URL(fileURLWithPath: gitDirectory).resolvingSymlinksInPath().path + "/") {
            return false
        }
        do {
            return try !repository.isIgnored(String(directory.dropFirst(work.count)) + "/pre-push")
        } catch {
            throw .io(path: directory, detail: error.message)
        }
    }

    private func remove(_ path: String) throws(InstallError) {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw .io(path: path, detail: error.localizedDescription)
        }
    }

    /// Writes through a temporary file and a rename, so a failure never leaves half a hook.
    private func write(_ text: String, to path: String, permissions: Int = 0o755) throws(InstallError) {
        let temporary = path + ".release-guardian-tmp"
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary)
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
    /// lefthook owns the pre-push hook and does not run release-guardian yet.
    case lefthookManagesPrePush(configuration: String)
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
        case .lefthookManagesPrePush(let configuration):
            """
            lefthook manages this clone's pre-push hook (\(configuration)): it would move a hook installed here aside, where nothing runs it, and a `commands:` entry does not run for a push of tags only. Nothing was changed. Let lefthook run release-guardian as a script with git's stdin. Add to \(configuration) (into its pre-push: section when it has one):

            \(Hook.lefthookConfiguration)
            and the script .lefthook/pre-push/release-guardian.sh:

            \(Hook.lefthookScript)
            Then `lefthook install`; `release-guardian install` then says that lefthook runs it.
            """
        case .io(let path, let detail):
            "cannot write \(path): \(detail)"
        case .invalidPolicy(let detail):
            "the server's policy cannot be written: \(detail) Nothing was installed."
        }
    }
}
