import Foundation
import TestSupport
import Testing

/// A malformed `.release-guardian` or git config stops every command with exit 2 naming the
/// file and the line, whichever reader (the hook's file readers or libgit2) reads it first.
struct MalformedConfigTests {
    /// The file, what to write in it, and the line that must be named.
    static let cases: [(file: String, text: String, line: Int)] = [
        (".release-guardian", "[release]\n    allowSkip = true\n[release\n", 3),
        (".release-guardian", "[release ]\n    allowSkip = true\n", 1),
        ("home/.gitconfig", "[user]\n    name = x\n[bad\n", 3),
        (".git/config", "[bad\n", 0),  // appended: its line depends on what git wrote before
    ]

    @Test(arguments: cases.indices)
    func everyCommandStopsNamingTheFileAndLine(_ index: Int) throws {
        let (file, text, line) = Self.cases[index]
        let clone = try GuardedClone()
        let head = try clone.rev("HEAD")
        let zero = String(repeating: "0", count: 40)
        let path = file.hasPrefix("home/") ? clone.scratch.root + "/" + file : clone.work + "/" + file
        var expectedLine = line
        if file == ".git/config" {
            let existing = try String(contentsOfFile: path, encoding: .utf8)
            expectedLine = existing.split(separator: "\n", omittingEmptySubsequences: false).count
            try (existing + text).write(toFile: path, atomically: true, encoding: .utf8)
        } else {
            try clone.scratch.write(text, to: path)
        }
        let runs = [
            try clone.releaseGuardian("check", "origin", input: "refs/heads/feature \(head) refs/heads/feature \(zero)\n"),
            try clone.releaseGuardian("check", "origin", input: "refs/tags/v1.1.0 \(head) refs/tags/v1.1.0 \(zero)\n"),
            try clone.releaseGuardian("env", "main"),
            try clone.releaseGuardian("ci", "--ref", "refs/heads/main"),
            try clone.releaseGuardian("revert-to", "v1.0.0", "--dry-run"),
        ]
        for run in runs {
            #expect(run.status == 2, "\(file): exit \(run.status), \(run.stderr)")
            #expect(run.stderr.contains(file.hasPrefix("home/") ? ".gitconfig" : file), "\(file) not named: \(run.stderr)")
            #expect(
                run.stderr.contains(":\(expectedLine)") || run.stderr.contains("line \(expectedLine)"),
                "line \(expectedLine) of \(file) not named: \(run.stderr)")
        }
    }
}
