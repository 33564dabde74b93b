import Git
import ReleaseGuardian
import TestSupport
import Testing

/// The ledger as it is read back: records written before intents existed, intents and
/// outcomes, one deployment each.
struct LedgerRecordTests {
    /// A ledger commit made by the real git, as any earlier version wrote it.
    func append(_ message: String, in work: String, scratch: Scratch) throws {
        let tree = try scratch.git("hash-object", "-t", "tree", "-w", "--stdin", in: work, input: "")
        let parent = try? scratch.git("rev-parse", "--verify", "-q", "refs/release-guardian/ledger", in: work)
        let commit = try scratch.git(["commit-tree", tree, "-m", message] + (parent.map { ["-p", $0] } ?? []), in: work)
        try scratch.git("update-ref", "refs/release-guardian/ledger", commit, in: work)
    }

    @Test func readsRecordsOfEveryVersionOneDeploymentEach() throws {
        let world = try ReleaseWorld(.empty)
        let (scratch, work) = (world.scratch, world.work)
        let commit = String(repeating: "a", count: 40)
        // Written by the first version: no id, no outcome, no result per target.
        try append(
            """
            revert-to v1.0.0 on prod

            {"action":"revert-to","backups":["refs/release-guardian/backup/prod/20250101T000000Z"],"commit":"\(commit)","environment":"prod","reason":"old","tag":"v1.0.0","targets":[{"after":"\(commit)","before":"\(String(repeating: "b", count: 40))","target":"prod master"}],"when":"2025-01-01T00:00:00Z","who":"Ann <ann@example.test>"}
            """, in: work, scratch: scratch)
        // An intent and its outcome, then an intent alone.
        for (id, outcome, reason) in [("d1", "started", "new"), ("d1", "done", "new"), ("d2", "started", "cut off")] {
            try append(
                """
                revert-to v1.0.0 on prod: \(outcome)

                {"action":"revert-to","commit":"\(commit)","environment":"prod","id":"\(id)","outcome":"\(outcome)","reason":"\(reason)","tag":"v1.0.0","targets":[{"target":"prod master","result":"pushed"}],"when":"2025-02-01T00:00:00Z","who":"Bob <bob@example.test>","checks":[],"migrations":[]}
                """, in: work, scratch: scratch)
        }
        let repository = try Repository.open(at: work)
        let ledger = Ledger(repository: repository, transport: TransportOptions(), sourceRemote: "origin")
        let records = try ledger.records()
        #expect(records.count == 4)
        let deployments = Ledger.deployments(records)
        #expect(deployments.map(\.reason) == ["cut off", "new", "old"])
        #expect(deployments.map(\.state) == [.started, .done, .done])
        let old = try #require(deployments.last)
        #expect(old.who == "Ann <ann@example.test>")
        #expect(old.backups == ["refs/release-guardian/backup/prod/20250101T000000Z"])
        #expect(old.targets.first?.before == String(repeating: "b", count: 40))
        #expect(old.targets.first?.result == nil)
    }

    /// A `{` in the title (a branch named `feature/a{b}`) and dates a writer chose: the record is
    /// read, and the ledger's own order, not the dates, says which is newest.
    @Test func readsTitlesWithBracesInTheLedgersOrderWhateverTheDates() throws {
        let world = try ReleaseWorld(.empty)
        let (scratch, work) = (world.scratch, world.work)
        let commit = String(repeating: "a", count: 40)
        for (date, reason) in [("2099-01-01T00:00:00Z", "first, dated far ahead"), ("2001-01-01T00:00:00Z", "second, dated long ago")] {
            let tree = try scratch.git("hash-object", "-t", "tree", "-w", "--stdin", in: work, input: "")
            let parent = try? scratch.git("rev-parse", "--verify", "-q", "refs/release-guardian/ledger", in: work)
            let message = """
                deploy refs/heads/feature/a{b} on review: done

                {"action":"deploy","commit":"\(commit)","environment":"review","ref":"refs/heads/feature/a{b}","targets":[],"when":"\(date)","who":"Eve","reason":"\(reason)"}
                """
            let created = try scratch.run(
                "/usr/bin/git", ["commit-tree", tree, "-m", message] + (parent.map { ["-p", $0] } ?? []), in: work,
                extraEnvironment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
            try scratch.git(
                "update-ref", "refs/release-guardian/ledger", created.stdout.trimmingCharacters(in: .whitespacesAndNewlines), in: work)
        }
        let ledger = Ledger(repository: try Repository.open(at: work), transport: TransportOptions(), sourceRemote: "origin")
        #expect(try ledger.records().map(\.reason) == ["second, dated long ago", "first, dated far ahead"])
    }
}
