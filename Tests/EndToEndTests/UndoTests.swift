import Foundation
import TestSupport
import Testing

/// `undo`: what ran before the environment's last record, put back with the same safeguards
/// and recorded, so the ledger never says the opposite of what runs.
struct UndoTests {
    func records(_ f: DeployFixture) throws -> [[String: Any]] {
        LedgerTests.deployments(try LedgerTests.records(in: f.clone.origin, scratch: f.scratch))
    }

    func undo(_ f: DeployFixture, _ arguments: String..., in directory: String? = nil) throws -> ProcessResult {
        try f.scratch.run(binary, ["undo"] + arguments, in: directory ?? f.work)
    }

    @Test func undoesARollbackAndRecordsIt() throws {
        let f = try DeployFixture()
        #expect(try f.revert("v1.0.0", "--yes", "--reason", "checkout broken").status == 0)
        #expect(try f.head() == f.v100)

        let dry = try undo(f, "--env", "prod", "--dry-run")
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("Undo plan: prod → v1.1.0"), "\(dry.stdout)")
        #expect(try f.head() == f.v100)

        let done = try undo(f, "--yes", "--reason", "false alarm")
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("# Undo report: prod → v1.1.0"), "\(done.stdout)")
        #expect(try f.head() == f.v110)
        let last = try #require(try records(f).last)
        #expect(last["action"] as? String == "undo")
        #expect(last["tag"] as? String == "v1.1.0")
        #expect(last["commit"] as? String == f.v110)
        #expect(last["reason"] as? String == "false alarm")
        #expect((last["checks"] as? [[String: Any]])?.first?["name"] as? String == "undoes")
        // The ledger and the target agree: no outside change.
        let status = try f.scratch.run(binary, ["status", "--env", "prod", "--json"], in: f.work)
        #expect(!status.stdout.contains("outside change"), "\(status.stdout)")

        // Undo of the undo puts the rollback back.
        #expect(try undo(f, "--yes").status == 0)
        #expect(try f.head() == f.v100)
    }

    @Test func undoesADeployFromAnotherCloneThroughTheBackup() throws {
        let f = try DeployFixture()
        // prod ran a hand-pushed commit, which only the deploy remote had; a deploy replaced it.
        _ = try f.clone.git("checkout", "-q", "-b", "hand", f.v100)
        let hand = try f.clone.commit("hand-made fix")
        _ = try f.clone.git("push", "-q", f.daemon.url("prod.git"), "+hand:master")
        _ = try f.clone.git("checkout", "-q", "main")
        _ = try f.clone.git("branch", "-D", "hand")
        let deployed = try f.scratch.run(binary, ["deploy", "v1.1.0", "--yes"], in: f.work)
        #expect(deployed.status == 0, "\(deployed.stderr)")
        #expect(try f.head() == f.v110)

        // A colleague's clone has never seen the hand-made commit: undo fetches the backup.
        let colleague = f.scratch.root + "/colleague"
        try f.scratch.git("clone", "-q", "--no-local", f.clone.origin, colleague, in: f.scratch.root)
        try f.scratch.write(
            try String(contentsOfFile: f.work + "/.release-guardian", encoding: .utf8), to: colleague + "/.release-guardian")
        #expect(try f.scratch.tryGit("cat-file", "-e", hand, in: colleague).status != 0)
        let undone = try undo(f, "--env", "prod", "--yes", in: colleague)
        #expect(undone.status == 0, "\(undone.stdout)\(undone.stderr)")
        #expect(try f.head() == hand)

        // A plain local clone shares origin's objects, the ledger's among them, but no ref to
        // them: the records are read all the same.
        let sibling = f.scratch.root + "/sibling"
        try f.scratch.git("clone", "-q", f.clone.origin, sibling, in: f.scratch.root)
        try f.scratch.write(
            try String(contentsOfFile: f.work + "/.release-guardian", encoding: .utf8), to: sibling + "/.release-guardian")
        let redo = try undo(f, "--env", "prod", "--yes", in: sibling)
        #expect(redo.status == 0, "\(redo.stdout)\(redo.stderr)")
        #expect(try f.head() == f.v110)
    }

    @Test func refusesWhenATargetChangedSinceOrThereIsNothingToUndo() throws {
        let f = try DeployFixture()
        let empty = try undo(f, "--yes")
        #expect(empty.status == 1 && empty.stderr.contains("the ledger holds no record to undo"), "\(empty.stderr)")

        #expect(try f.revert("v1.0.0", "--yes").status == 0)
        // Someone pushed by hand since the rollback.
        let other = try f.clone.commit("pushed by hand")
        _ = try f.clone.git("push", "-q", f.daemon.url("prod.git"), "+main:master")
        let changed = try undo(f, "--env", "prod", "--yes")
        #expect(changed.status == 1, "\(changed.stderr)")
        #expect(changed.stderr.contains("someone changed it since"), "\(changed.stderr)")
        #expect(try f.head() == other)
        #expect(try records(f).count == 1)
        let unknown = try undo(f, "--env", "staging", "--yes")
        #expect(unknown.status == 1 && unknown.stderr.contains("nothing to undo"), "\(unknown.stderr)")
    }
}
