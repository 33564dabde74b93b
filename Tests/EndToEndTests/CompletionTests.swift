import Foundation
import TestSupport
import Testing

/// Shell completion: the bash script the binary generates, run by a real bash the way it runs
/// it on Tab, asks the binary for the repository's tags and environments.
struct CompletionTests {
    /// A clone with releases v1.0.0 and v1.1.0, a pre-release, a tag that is no release, a
    /// branch, and three environments.
    func clone() throws -> GuardedClone {
        let clone = try GuardedClone(hook: .none)
        _ = try clone.commit("feature")
        try clone.tag("v1.1.0")
        try clone.tag("v1.2.0-rc.1")
        try clone.tag("nightly", annotated: false)
        _ = try clone.git("branch", "staging-work")
        try clone.scratch.write(
            """
            [environment "preprod"]
                ref = refs/heads/main
            [environment "prod"]
                ref = release-tags
            [environment "staging"]
                ref = refs/heads/staging-work
            """, to: clone.work + "/.release-guardian")
        return clone
    }

    /// What bash offers for the command line `words` (the last one being completed).
    func complete(_ words: [String], in directory: String, scratch: Scratch) throws -> [String] {
        let script = scratch.root + "/completion.bash"
        let generated = try scratch.run(binary, ["--generate-completion-script", "bash"], in: scratch.root)
        #expect(generated.status == 0, "\(generated.stderr)")
        try scratch.write(generated.stdout, to: script)
        let quoted = words.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let driver = """
            source '\(script)'
            COMP_WORDS=(\(quoted)); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
            _release-guardian release-guardian "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let binaryDirectory = URL(fileURLWithPath: binary).deletingLastPathComponent().path
        let result = try scratch.run(
            "/bin/bash", ["--norc", "-c", driver], in: directory,
            extraEnvironment: ["PATH": binaryDirectory + ":" + (scratch.environment["PATH"] ?? "/usr/bin:/bin")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func completesReleaseTagsForRevertTo() throws {
        let clone = try clone()
        let words = try complete(["release-guardian", "revert-to", ""], in: clone.work, scratch: clone.scratch)
        #expect(words == ["previous", "v1.2.0-rc.1", "v1.1.0", "v1.0.0"], "\(words)")
        #expect(try complete(["release-guardian", "revert-to", "v1.1"], in: clone.work, scratch: clone.scratch) == ["v1.1.0"])
    }

    @Test func completesEnvironmentsFromTheSettings() throws {
        let clone = try clone()
        for command in ["revert-to", "deploy", "undo", "status", "history"] {
            let all = try complete(["release-guardian", command, "--env", ""], in: clone.work, scratch: clone.scratch)
            #expect(all == ["preprod", "prod", "staging"], "\(command): \(all)")
        }
        #expect(
            try complete(["release-guardian", "status", "--env", "pr"], in: clone.work, scratch: clone.scratch) == ["preprod", "prod"])
    }

    @Test func completesBranchesAndTagsForARef() throws {
        let clone = try clone()
        let words = try complete(["release-guardian", "deploy", ""], in: clone.work, scratch: clone.scratch)
        #expect(words == ["main", "staging-work", "nightly", "v1.0.0", "v1.1.0", "v1.2.0-rc.1"], "\(words)")
        #expect(try complete(["release-guardian", "env", "st"], in: clone.work, scratch: clone.scratch) == ["staging-work"])
        #expect(try complete(["release-guardian", "ci", "--ref", "n"], in: clone.work, scratch: clone.scratch) == ["nightly"])
    }

    /// Outside a repository: no words from it, no message, quickly.
    @Test func isSilentOutsideARepository() throws {
        let scratch = try Scratch()
        let started = Date()
        #expect(try complete(["release-guardian", "revert-to", ""], in: scratch.root, scratch: scratch) == ["previous"])
        #expect(try complete(["release-guardian", "status", "--env", ""], in: scratch.root, scratch: scratch) == [])
        #expect(Date().timeIntervalSince(started) < 10)
        let direct = try scratch.run(binary, ["---completion", "deploy", "--", "positional@0", "0", "0"], in: scratch.root)
        #expect(direct.status == 0 && direct.stdout.isEmpty && direct.stderr.isEmpty, "\(direct)")
    }
}
