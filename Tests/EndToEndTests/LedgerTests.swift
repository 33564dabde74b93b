import Foundation
import TestSupport
import Testing

/// The deployment ledger as the team reads it on origin: every rollback recorded, whatever
/// happened to the run (killed mid-push, origin refusing the ledger for a while, two deployers
/// at once).
struct LedgerTests {
    /// The records of a ledger, oldest first, each the JSON object of one commit message.
    static func records(in repository: String, scratch: Scratch) throws -> [[String: Any]] {
        let log = try scratch.git("log", "--reverse", "--format=%B%x00", "refs/release-guardian/ledger", in: repository)
        return try log.split(separator: "\u{0}").compactMap { message in
            guard let start = message.firstIndex(of: "{"), let end = message.lastIndex(of: "}") else { return nil }
            return try JSONSerialization.jsonObject(with: Data(message[start...end].utf8)) as? [String: Any]
        }
    }

    /// The last record of each deployment (records of one deployment share an `id`).
    static func deployments(_ records: [[String: Any]]) -> [[String: Any]] {
        var order: [String] = []
        var last: [String: [String: Any]] = [:]
        for (index, record) in records.enumerated() {
            let id = record["id"] as? String ?? "#\(index)"
            if last[id] == nil { order.append(id) }
            last[id] = record
        }
        return order.compactMap { last[$0] }
    }

    /// A shell hook that marks its arrival in `gate`.arrived and waits for `gate`.open (30s at most).
    static func gateHook(_ gate: String) -> String {
        "#!/bin/sh\ntouch '\(gate).arrived'\ni=0\nwhile [ ! -e '\(gate).open' ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n"
    }

    static func install(_ script: String, as hook: String, scratch: Scratch) throws {
        try scratch.write(script, to: hook)
        _ = try scratch.run("/bin/chmod", ["+x", hook], in: scratch.root)
    }

    // Item 8: SIGKILL while the target takes its time; the target is updated.
    @Test func aRunKilledDuringThePushIsRecordedAndTheRerunSettlesIt() throws {
        let f = try DeployFixture()
        let gate = f.scratch.root + "/gate"
        // The target takes the update, then its post-receive hook keeps the push waiting.
        try Self.install(Self.gateHook(gate), as: f.daemon.basePath + "/prod.git/hooks/post-receive", scratch: f.scratch)
        let run = try BackgroundProcess(
            binary, ["revert-to", "v1.0.0", "--yes", "--reason", "checkout broken"], in: f.work, scratch: f.scratch)
        #expect(waitForFile(gate + ".arrived"), "the push never reached the target")
        run.kill()
        try f.scratch.write("", to: gate + ".open")
        #expect(try f.head() == f.v100)

        // status says a run has no outcome (exit 1 with --check).
        let status = try f.scratch.run(binary, ["status", "--env", "prod", "--check"], in: f.work)
        #expect(status.status == 1 && status.stdout.contains("unfinished: revert-to v1.0.0"), "\(status.stdout)\(status.stderr)")

        // Before any re-run, origin's ledger already says a rollback was under way.
        let intent = try Self.records(in: f.clone.origin, scratch: f.scratch)
        #expect(intent.count == 1, "\(intent)")
        #expect(intent.first?["outcome"] as? String == "started")
        #expect(intent.first?["tag"] as? String == "v1.0.0")
        #expect(intent.first?["reason"] as? String == "checkout broken")

        // The re-run has nothing to push, and records what happened.
        let again = try f.revert("v1.0.0", "--yes")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("nothing to do"), "\(again.stderr)")
        #expect(again.stderr.contains("was interrupted"), "\(again.stderr)")
        let deployments = Self.deployments(try Self.records(in: f.clone.origin, scratch: f.scratch))
        #expect(deployments.count == 1, "\(deployments)")
        let settled = deployments.first
        #expect(settled?["outcome"] as? String == "interrupted")
        #expect(settled?["action"] as? String == "revert-to")
        #expect(settled?["commit"] as? String == f.v100)
        #expect((settled?["backups"] as? [String])?.count == 1)
        let target = (settled?["targets"] as? [[String: Any]])?.first
        #expect(target?["before"] as? String == f.v110)
        #expect(target?["after"] as? String == f.v100)
        #expect(target?["result"] as? String == "pushed")

        // A third run neither records nor settles anything again.
        let ledger = try f.scratch.git("rev-parse", "refs/release-guardian/ledger", in: f.clone.origin)
        #expect(try f.revert("v1.0.0", "--yes").status == 0)
        #expect(try f.scratch.git("rev-parse", "refs/release-guardian/ledger", in: f.clone.origin) == ledger)
        let settledStatus = try f.scratch.run(binary, ["status", "--env", "prod"], in: f.work)
        #expect(!settledStatus.stdout.contains("unfinished"), "\(settledStatus.stdout)")

        // Every push of the interrupted run went through: it can be undone like a finished one.
        let undo = try f.scratch.run(binary, ["undo", "--env", "prod", "--yes"], in: f.work)
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(try f.head() == f.v110)
    }

    // Item 9: a record that could not be shared is added onto origin's ledger later, never dropped.
    @Test func recordsOriginRefusedAreReappendedOntoItsTipLater() throws {
        let f = try DeployFixture()
        // A reaches origin through git daemon, whose pre-receive hook refuses the ledger while told to.
        let refuse = f.scratch.root + "/refuse-ledger"
        try FileManager.default.createSymbolicLink(atPath: f.daemon.basePath + "/origin.git", withDestinationPath: f.clone.origin)
        try Self.install(
            """
            #!/bin/sh
            while read old new ref; do
              if [ "$ref" = refs/release-guardian/ledger ] && [ -e '\(refuse)' ]; then echo "ledger closed" >&2; exit 1; fi
            done
            """, as: f.clone.origin + "/hooks/pre-receive", scratch: f.scratch)
        _ = try f.clone.git("remote", "set-url", "origin", f.daemon.url("origin.git"))
        try f.scratch.write("", to: refuse)
        let first = try f.revert("v1.0.0", "--yes", "--reason", "first by A")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("could not share"), "\(first.stderr)")
        #expect(
            try f.scratch.tryGit("rev-parse", "-q", "--verify", "refs/release-guardian/ledger", in: f.clone.origin).status == 1,
            "origin has a ledger")
        try FileManager.default.removeItem(atPath: refuse)

        // B records on origin meanwhile.
        let b = f.scratch.root + "/operator-b"
        try f.scratch.git("clone", "-q", f.clone.origin, b, in: f.scratch.root)
        try FileManager.default.copyItem(atPath: f.work + "/.release-guardian", toPath: b + "/.release-guardian")
        let forward = try f.scratch.run(binary, ["revert-to", "v1.1.0", "--yes", "--allow-divergent", "--reason", "forward by B"], in: b)
        #expect(forward.status == 0, "\(forward.stderr)")

        // A's next rollback: origin's ledger holds all three, A's first included.
        let second = try f.revert("v1.0.0", "--yes", "--reason", "second by A")
        #expect(second.status == 0, "\(second.stderr)")
        let reasons = Self.deployments(try Self.records(in: f.clone.origin, scratch: f.scratch)).map { $0["reason"] as? String }
        #expect(reasons == ["forward by B", "first by A", "second by A"], "\(reasons)")
        // And A's ledger is origin's.
        #expect(
            try f.clone.git("rev-parse", "refs/release-guardian/ledger")
                == f.scratch.git("rev-parse", "refs/release-guardian/ledger", in: f.clone.origin))
    }

    // Item 10: two rollbacks at once; the one that loses the race was refused, not broken.
    @Test func theRollbackThatLosesARaceIsRefusedSayingWhatRunsNow() throws {
        let f = try DeployFixture()
        let b = f.scratch.root + "/operator-b"
        try f.scratch.git("clone", "-q", f.clone.origin, b, in: f.scratch.root)
        try FileManager.default.copyItem(atPath: f.work + "/.release-guardian", toPath: b + "/.release-guardian")
        // Both pushes pass the lease negotiation, then wait for each other in the target's
        // pre-receive hook: the two ref updates race.
        let arrivals = f.scratch.root + "/arrivals"
        try FileManager.default.createDirectory(atPath: arrivals, withIntermediateDirectories: true)
        try Self.install(
            """
            #!/bin/sh
            touch '\(arrivals)'/$$
            i=0
            while [ "$(ls '\(arrivals)' | wc -l)" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
            """, as: f.daemon.basePath + "/prod.git/hooks/pre-receive", scratch: f.scratch)
        let a = try BackgroundProcess(binary, ["revert-to", "v1.0.0", "--yes", "--reason", "by A"], in: f.work, scratch: f.scratch)
        let other = try BackgroundProcess(binary, ["revert-to", "v1.0.0", "--yes", "--reason", "by B"], in: b, scratch: f.scratch)
        let results = [a.wait(), other.wait()]
        #expect(results.map(\.status).sorted() == [0, 1], "\(results.map(\.stderr))")
        #expect(try f.head() == f.v100)
        if let loser = results.first(where: { $0.status == 1 }) {
            #expect(loser.stderr.contains("someone deployed meanwhile"), "\(loser.stderr)")
            #expect(loser.stderr.contains("runs \(f.v100.prefix(7)) (v1.0.0) now"), "\(loser.stderr)")
        }
        // Both are in origin's ledger: one done, one failed.
        let outcomes = Self.deployments(try Self.records(in: f.clone.origin, scratch: f.scratch)).compactMap { $0["outcome"] as? String }
        #expect(outcomes.sorted() == ["done", "failed"], "\(outcomes)")
        // What both overwrote is kept (the same head: one backup or two).
        let backups = try f.backups()
        #expect(!backups.isEmpty && backups.allSatisfy { $0.hasSuffix(" " + f.v110) }, "\(backups)")
    }

    /// Anyone who can push to origin can put a commit libgit2 cannot parse on its ledger; and a
    /// `user.name` with a line break once made this tool write one. Neither may stop a rollback.
    @Test func anUnreadableLedgerOnOriginNeverBlocksARollback() throws {
        let f = try DeployFixture()
        let empty = try f.scratch.git("hash-object", "-t", "tree", "-w", "--stdin", in: f.clone.origin, input: "")
        let malformed =
            "tree \(empty)\nauthor Mallory\n <x> 1700000000 +0000\ncommitter M <m> 1700000000 +0000\n\nrevert-to v1.2.0 on prod: done\n"
        let bad = try f.scratch.git("hash-object", "-t", "commit", "--literally", "-w", "--stdin", in: f.clone.origin, input: malformed)
        try f.scratch.git("update-ref", "refs/release-guardian/ledger", bad, in: f.clone.origin)

        let rollback = try f.revert("v1.0.0", "--yes", "--reason", "checkout broken")
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(try f.head() == f.v100)
        #expect(try f.backups().count == 1)
        #expect((rollback.stdout + rollback.stderr).contains("cannot be read"), "\(rollback.stdout)\(rollback.stderr)")
        // The bad commit never entered the clone, so later pushes to origin still work.
        #expect(try f.scratch.tryGit("cat-file", "-e", bad, in: f.work).status == 1)

        // A line break in user.name: the record is still written, readable, with a clean name.
        try f.scratch.git("update-ref", "-d", "refs/release-guardian/ledger", in: f.clone.origin)
        _ = try f.clone.git("config", "user.name", "Eve\n# forged heading")
        let forward = try f.revert("v1.1.0", "--yes", "--allow-divergent")
        #expect(forward.status == 0, "\(forward.stderr)")
        let records = try Self.records(in: f.clone.origin, scratch: f.scratch)
        #expect(!records.isEmpty, "nothing recorded on origin: \(forward.stdout)")
        let author = try f.scratch.git("log", "-1", "--format=%an", "refs/release-guardian/ledger", in: f.clone.origin)
        #expect(author == "Eve # forged heading")
    }

    /// With `install --server` on origin (backups create-only, the ledger fast-forward only),
    /// rollbacks still share their backups and records.
    @Test func rollbacksRecordOnAGuardedOrigin() throws {
        let f = try DeployFixture()
        try f.clone.installServerHook()
        let back = try f.revert("v1.0.0", "--yes", "--reason", "broken")
        #expect(back.status == 0, "\(back.stderr)")
        let forward = try f.revert("v1.1.0", "--yes", "--allow-divergent", "--reason", "fixed")
        #expect(forward.status == 0, "\(forward.stderr)")
        #expect(!(back.stderr + forward.stderr).contains("could not share"), "\(back.stderr)\(forward.stderr)")
        #expect(try f.backups().count == 2)
        let deployments = Self.deployments(try Self.records(in: f.clone.origin, scratch: f.scratch))
        #expect(deployments.map { $0["tag"] as? String } == ["v1.0.0", "v1.1.0"], "\(deployments)")
        #expect(deployments.allSatisfy { $0["outcome"] as? String == "done" })
    }
}
