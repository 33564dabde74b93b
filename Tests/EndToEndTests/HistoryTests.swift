import Foundation
import TestSupport
import Testing

/// `history`: the ledger read back through the binary, newest first.
struct HistoryTests {
    @Test func listsTheDeploymentsNewestFirstAsTextAndJSON() throws {
        let f = try DeployFixture()
        let empty = try f.scratch.run(binary, ["history"], in: f.work)
        #expect(empty.status == 0 && empty.stdout.contains("No deployment recorded"), "\(empty.stdout) \(empty.stderr)")

        #expect(try f.revert("v1.0.0", "--yes", "--reason", "checkout broken | see #12\nsecond line").status == 0)
        try f.clone.git("tag", "-d", "v1.1.0")  // keep the fixture's world: v1.1.0 still on origin
        try f.clone.git("fetch", "-q", "--tags", "origin")
        let forward = try f.scratch.run(binary, ["revert-to", "v1.1.0", "--yes", "--allow-divergent", "--reason", "fixed"], in: f.work)
        #expect(forward.status == 0, "\(forward.stderr)")

        let text = try f.scratch.run(binary, ["history"], in: f.work)
        #expect(text.status == 0, "\(text.stderr)")
        let rows = text.stdout.split(separator: "\n")
        #expect(rows.count == 3, "a header and one row per deployment (not per intent and outcome): \(text.stdout)")
        #expect(rows.count == 3 && rows[1].contains("v1.1.0") && rows[2].contains("v1.0.0"), "newest first: \(text.stdout)")
        #expect(!text.stdout.contains("\nsecond line"), "a reason's line break forged a row: \(text.stdout)")

        let json = try f.scratch.run(binary, ["history", "--json", "--limit", "1"], in: f.work)
        let records = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(records?.count == 1)
        #expect(records?.first?["tag"] as? String == "v1.1.0")
        #expect(records?.first?["outcome"] as? String == "done")

        let other = try f.scratch.run(binary, ["history", "--env", "preprod", "--json"], in: f.work)
        #expect(other.status == 0 && other.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(other.stdout)")
    }

    @Test func badInputIsAClearErrorAndAnUnreadableRecordIsSkipped() throws {
        let f = try DeployFixture()
        let zero = try f.scratch.run(binary, ["history", "--limit", "0"], in: f.work)
        #expect(zero.status == 64 && zero.stderr.contains("--limit"), "\(zero.status) \(zero.stderr)")
        let outside = try f.scratch.run(binary, ["history"], in: f.scratch.root)
        #expect(outside.status == 2 && outside.stderr.contains(notARepository), "\(outside.stderr)")

        #expect(try f.revert("v1.0.0", "--yes").status == 0)
        // A commit on the ledger whose message is not a record (someone wrote it by hand).
        let tree = try f.clone.git("hash-object", "-t", "tree", "-w", "/dev/null")
        let tip = try f.clone.git("rev-parse", "refs/release-guardian/ledger")
        let junk = try f.clone.git("commit-tree", tree, "-p", tip, "-m", "not a record {\"action\": ")
        // Nor one whose braces close before they open (history crashed on it).
        let closed = try f.clone.git("commit-tree", tree, "-p", junk, "-m", "note } then {")
        try f.clone.git("update-ref", "refs/release-guardian/ledger", closed)
        let history = try f.scratch.run(binary, ["history", "--json"], in: f.work)
        #expect(history.status == 0, "\(history.stderr)")
        let records = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]]
        #expect(records?.count == 1 && records?.first?["tag"] as? String == "v1.0.0", "\(history.stdout)")
    }
}

/// `revert-to previous` asks the ledger what ran before, and only then the tags.
struct RevertToPreviousTests {
    @Test func previousIsWhatTheEnvironmentRanBeforeNotTheTagBelow() throws {
        let f = try DeployFixture()
        let v120 = try f.clone.commit("v1.2.0 work")
        try f.clone.tag("v1.2.0")
        try f.clone.git("push", "-q", "--follow-tags", "origin", "main")
        #expect(try f.revert("v1.0.0", "--yes").status == 0)
        let forward = try f.revert("v1.2.0", "--yes", "--allow-divergent")
        #expect(forward.status == 0, "\(forward.stderr)")
        #expect(try f.head() == v120)

        // The tags alone would say v1.1.0, which never ran; the ledger says v1.0.0 ran before v1.2.0.
        let plan = try f.revert("previous", "--dry-run", "--json")
        #expect(plan.status == 0, "\(plan.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        #expect(json?["tag"] as? String == "v1.0.0", "\(plan.stdout)")
        #expect(plan.stderr.contains("The ledger says prod ran v1.0.0"), "\(plan.stderr)")
    }

    @Test func withoutARecordOfWhatRunsTheTagsDecide() throws {
        let f = try DeployFixture()
        // prod runs v1.1.0, put there by hand: no record, so the release below it.
        let plan = try f.revert("previous", "--dry-run", "--json")
        #expect(plan.status == 0, "\(plan.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        #expect(json?["tag"] as? String == "v1.0.0", "\(plan.stdout)")
        #expect(!plan.stderr.contains("The ledger says"), "\(plan.stderr)")
    }
}

/// The rollback branch goes to the source remote too (the runbook picks it there).
struct ReleaseBranchSharedTests {
    @Test func theRollbackBranchIsPushedToOrigin() throws {
        let f = try DeployFixture()
        let revert = try f.revert("v1.0.0", "--yes")
        #expect(revert.status == 0, "\(revert.stderr)")
        #expect(try f.scratch.git("rev-parse", "refs/heads/release/v1.0.0", in: f.clone.origin) == f.v100)
        #expect(revert.stderr.contains("Pushed release/v1.0.0 to origin") && revert.stdout.contains("Pushed release/v1.0.0 to origin"))
    }

    @Test func aBranchOfThatNameElsewhereOnOriginIsLeftAndSaid() throws {
        let f = try DeployFixture()
        try f.clone.git("push", "-q", "--no-verify", "origin", "\(f.v110):refs/heads/release/v1.0.0")
        let revert = try f.revert("v1.0.0", "--yes")
        #expect(revert.status == 0, "\(revert.stderr)")
        #expect(try f.scratch.git("rev-parse", "refs/heads/release/v1.0.0", in: f.clone.origin) == f.v110)
        #expect(revert.stdout.contains("left as it is"), "\(revert.stdout)")
        #expect(try f.head() == f.v100)
    }
}

/// A PaaS builds on push and explains a refusal in `remote:` lines: they are streamed with the
/// target's name, and a failure keeps the last ones.
struct RemoteLinesTests {
    @Test func theTargetsLinesAreStreamedAndKeptOnFailure() throws {
        let f = try DeployFixture()
        let hook = f.daemon.basePath + "/prod.git/hooks/pre-receive"
        try LedgerTests.install(
            "#!/bin/sh\necho '-----> Building app'\necho ' !     Build failed: no Procfile' >&2\nexit 1\n", as: hook, scratch: f.scratch)
        let failed = try f.revert("v1.0.0", "--yes")
        #expect(failed.status == 2, "\(failed.stderr)")
        #expect(failed.stderr.contains("prod.git master: -----> Building app"), "\(failed.stderr)")
        #expect(failed.stderr.contains("the server said:") && failed.stderr.contains("Build failed: no Procfile"), "\(failed.stderr)")
        #expect(try f.head() == f.v110)

        try LedgerTests.install("#!/bin/sh\necho '-----> Build succeeded'\n", as: hook, scratch: f.scratch)
        let done = try f.revert("v1.0.0", "--yes")
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stderr.contains("prod.git master: -----> Build succeeded"), "\(done.stderr)")
    }
}
