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
        let arguments = ["fetch", "--quiet", "--unshallow", "--tags", remote, "+refs/heads/*:refs/remotes/\(remote)/*"]
        let command = "git " + arguments.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(command: command, output: "cannot run git: \(error.localizedDescription)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(command: command, output: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
