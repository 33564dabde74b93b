import Foundation

/// A scratch directory of real git repositories, built with the real git CLI and removed when
/// the value goes away. git runs isolated from the developer's configuration: its own HOME, no
/// system config, a fixed identity. Making one isolates the test process too (`HostIsolation`).
public final class Scratch: @unchecked Sendable {
    public let root: String

    public init() throws {
        HostIsolation.apply()
        let base = FileManager.default.temporaryDirectory.path
        root = base + "/release-guardian-test-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The environment every process of a test gets: nothing of the developer's git setup, CI
    /// platform or credentials (`HostIsolation.isHostSpecific`).
    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !HostIsolation.isHostSpecific($0.key) }
        environment["HOME"] = root + "/home"
        environment["XDG_CONFIG_HOME"] = root + "/home/.config"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "Test Author"
        environment["GIT_AUTHOR_EMAIL"] = "author@example.test"
        environment["GIT_COMMITTER_NAME"] = "Test Author"
        environment["GIT_COMMITTER_EMAIL"] = "author@example.test"
        environment["TERM"] = "dumb"
        return environment
    }

    /// A new non-bare repository with `main` as its initial branch and a repo-local identity.
    @discardableResult
    public func repository(_ name: String = "work") throws -> String {
        let path = root + "/" + name
        try git("init", "-q", "-b", "main", path, in: root)
        try git("config", "user.name", "Test Author", in: path)
        try git("config", "user.email", "author@example.test", in: path)
        return path
    }

    /// A new bare repository, as a remote, with `initialBranch` as the branch its HEAD names.
    @discardableResult
    public func bareRepository(_ name: String = "origin.git", initialBranch: String = "main") throws -> String {
        let path = root + "/" + name
        try git("init", "-q", "--bare", "-b", initialBranch, path, in: root)
        return path
    }

    /// A deploy remote as PaaS providers have them: a new bare repository at `path` (absolute)
    /// whose branch is `master`, at `commit` pushed from `repository`, or empty when `commit` is nil.
    @discardableResult
    public func deployRemote(at path: String, running commit: String?, from repository: String) throws -> String {
        try git("init", "-q", "--bare", "-b", "master", path, in: root)
        if let commit { try git("push", "-q", path, "\(commit):refs/heads/master", in: repository) }
        return path
    }

    /// Runs git and returns its trimmed stdout; throws when it fails.
    @discardableResult
    public func git(_ arguments: String..., in directory: String, input: String? = nil) throws -> String {
        try git(arguments, in: directory, input: input)
    }

    @discardableResult
    public func git(_ arguments: [String], in directory: String, input: String? = nil) throws -> String {
        let result = try run("/usr/bin/env", ["git"] + arguments, in: directory, input: input)
        guard result.status == 0 else {
            throw ScratchError.commandFailed("git \(arguments.joined(separator: " "))", result.status, result.stderr)
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git and returns everything, for commands expected to fail (a refused push).
    public func tryGit(_ arguments: String..., in directory: String) throws -> ProcessResult {
        try run("/usr/bin/env", ["git"] + arguments, in: directory)
    }

    /// Makes a commit (empty unless `file` is given) and returns its id.
    @discardableResult
    public func commit(_ message: String, in repository: String, file: String? = nil) throws -> String {
        if let file {
            try (message + "\n").write(toFile: repository + "/" + file, atomically: true, encoding: .utf8)
            try git("add", file, in: repository)
        }
        try git("commit", "-q", "--allow-empty", "-m", message, in: repository)
        return try git("rev-parse", "HEAD", in: repository)
    }

    /// Creates an annotated tag on `target` (HEAD by default).
    public func tag(_ name: String, in repository: String, at target: String = "HEAD", annotated: Bool = true) throws {
        if annotated {
            try git("tag", "-a", name, target, "-m", "Release \(name)", in: repository)
        } else {
            try git("tag", name, target, in: repository)
        }
    }

    public func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Runs a program with the scratch environment (plus `extraEnvironment`), stdin from `input`.
    /// Output goes through files, so a chatty process can never block on a full pipe.
    public func run(
        _ executable: String, _ arguments: [String], in directory: String, input: String? = nil,
        extraEnvironment: [String: String] = [:]
    ) throws -> ProcessResult {
        let id = UUID().uuidString
        let outPath = root + "/.out-" + id
        let errPath = root + "/.err-" + id
        let inPath = root + "/.in-" + id
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        FileManager.default.createFile(atPath: inPath, contents: Data((input ?? "").utf8))
        defer {
            for path in [outPath, errPath, inPath] { try? FileManager.default.removeItem(atPath: path) }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment.merging(extraEnvironment) { _, new in new }
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum ScratchError: Error, CustomStringConvertible {
    case commandFailed(String, Int32, String)

    public var description: String {
        switch self {
        case .commandFailed(let command, let status, let stderr): "`\(command)` exited \(status): \(stderr)"
        }
    }
}
