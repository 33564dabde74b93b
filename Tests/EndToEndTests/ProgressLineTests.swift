import Foundation
import TestSupport
import Testing

/// The fetch's progress on a terminal: one line redrawn with `\r`, a few times a second, ended
/// before the next message; nothing of it off a terminal.
struct ProgressLineTests {
    /// A fixture whose origin has a commit of `files` new files the clone has not fetched.
    func fixtureWithManyObjectsToFetch(files: Int) throws -> DeployFixture {
        let f = try DeployFixture()
        let colleague = f.scratch.root + "/colleague"
        try f.scratch.git("clone", "-q", f.clone.origin, colleague, in: f.scratch.root)
        for index in 0..<files {
            try f.scratch.write("\(index)\n", to: colleague + "/file-\(index)")
        }
        try f.scratch.git("add", ".", in: colleague)
        try f.scratch.git("commit", "-q", "-m", "many files", in: colleague)
        try f.scratch.git("push", "-q", "origin", "main", in: colleague)
        return f
    }

    /// `revert-to --dry-run` under a pseudo-terminal (util-linux `script`): the output as the
    /// operator's terminal receives it.
    func onATerminal(_ f: DeployFixture, _ command: String) throws -> ProcessResult {
        try f.scratch.run("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], in: f.work)
    }

    @Test func showsTheFetchOnOneLineRedrawnInPlace() throws {
        let f = try fixtureWithManyObjectsToFetch(files: 3_000)
        let result = try onATerminal(f, "'\(binary)' revert-to v1.0.0 --dry-run")
        #expect(result.status == 0, "\(result.stdout)")
        // The terminal turns each line break into CR LF; the progress redraws with a lone CR.
        let lines = result.stdout.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        let progressLines = lines.filter { $0.contains("Receiving objects") }
        #expect(progressLines.count == 1, "\(progressLines.count) lines of progress:\n\(result.stdout.prefix(2_000))")
        let redraws = progressLines.first.map { $0.split(separator: "\r").filter { $0.contains("Receiving objects") } } ?? []
        // At most ten a second (and the last state): a local fetch of 3,000 objects takes well
        // under a few seconds, libgit2 reports it thousands of times.
        #expect(!redraws.isEmpty && redraws.count <= 40, "\(redraws.count) redraws")
        let last = redraws.last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let total = last.split(separator: "/").last.map(String.init) ?? ""
        #expect(last.hasSuffix("/" + total) && last.contains(": \(total)/"), "the line ends on the finished count: \(last)")
        // The next message starts on a line of its own.
        let index = try #require(lines.firstIndex { $0.contains("Receiving objects") })
        #expect(lines[index + 1].hasPrefix("1. Fetched origin"), "\(lines[index + 1])")
    }

    @Test func printsNoProgressOffATerminal() throws {
        let f = try fixtureWithManyObjectsToFetch(files: 300)
        let result = try f.revert("v1.0.0", "--dry-run")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("Receiving objects"), "\(result.stderr.prefix(500))")
        #expect(!result.stderr.contains("\r"))
    }
}
