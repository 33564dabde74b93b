import Foundation

/// The few operations libgit2 1.5 cannot do, delegated to the `git` program.
public enum GitCommandLine {
    public struct Failure: Error, CustomStringConvertible {
        public let command: String
        public let output: String
        public var description: String { "`\(command)` failed: \(output)" }
    }

    /// Completes a shallow clone: all of history, every tag, and every branch of `remote` as
    /// remote-tracking branches (libgit2 1.5 cannot deepen a shallow repository).
    public static func unshallow(repository directory: String, remote: String) throws(Failure) {
        _ = try run(["fetch", "--quiet", "--unshallow", "--tags", remote, "+refs/heads/*:refs/remotes/\(remote)/*"], in: directory)
    }

    /// The entries of a git-config file stored as a blob (`<commit>:<path>`), parsed by git
    /// itself: libgit2 1.5 parses config from files only, and a temporary file would make every
    /// server push depend on a writable TMPDIR. A syntax error throws with git's message, which
    /// names the line.
    public static func configEntries(blob: String, gitDirectory: String) throws(Failure) -> [Config.Entry] {
        let output = try run(["--git-dir=\(gitDirectory)", "config", "--blob=\(blob)", "--list", "-z"], in: gitDirectory, merged: false)
        // `-z`: each entry is `name LF value NUL`, or `name NUL` for a key without `=` (true).
        return output.split(separator: "\0").map { record in
            guard let newline = record.firstIndex(of: "\n") else { return Config.Entry(name: String(record), value: "true") }
            return Config.Entry(name: String(record[..<newline]), value: String(record[record.index(after: newline)...]))
        }
    }

    /// Runs `git arguments` in `directory`, without a terminal or stdin; returns stdout (stdout
    /// and stderr when `merged`), throws with stderr when git fails.
    private static func run(_ arguments: [String], in directory: String, merged: Bool = true) throws(Failure) -> String {
        let command = "git " + arguments.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        let errors = merged ? output : Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(command: command, output: "cannot run git: \(error.localizedDescription)")
        }
        // stdout first, then stderr: the commands run apart (`config`) write a line or two of
        // errors, far below a pipe's buffer, so git cannot block on a full stderr meanwhile.
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = merged ? "" : String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = merged ? text : errorText
            throw Failure(command: command, output: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return text
    }
}
