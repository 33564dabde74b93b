import Foundation
import TestSupport
import Testing

/// An environment's `before` and `after` commands around the push: data in environment
/// variables only, output streamed, a failing `before` stops everything, a failing `after`
/// says "verification failed".
struct StepCommandTests {
    /// Writes the commands in git-config syntax: quoted, since `;` and `#` start a comment.
    func configure(_ f: DeployFixture, before: [String] = [], after: [String] = []) throws {
        func quoted(_ command: String) -> String {
            "\"" + command.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let lines = before.map { "    before = \(quoted($0))\n" } + after.map { "    after = \(quoted($0))\n" }
        try f.scratch.write(
            "[environment \"prod\"]\n    target = \(f.daemon.url("prod.git")) master\n" + lines.joined(), to: f.work + "/.release-guardian")
    }

    @Test func theReasonReachesTheCommandsByteForByteAndRunsNothing() throws {
        let f = try DeployFixture()
        try configure(
            f,
            before: [
                #"printf '%s' "$RELEASE_GUARDIAN_REASON" > reason.txt; env | grep '^RELEASE_GUARDIAN_' | sort > vars.txt; echo dumped"#
            ],
            after: ["echo smoke ok"])
        let reason = "$(touch pwned) `touch pwned2` | x; ${HOME} \"quoted\" 'single' | table |\nnext line"
        let report = f.scratch.root + "/report.md"
        let result = try f.revert("v1.0.0", "--yes", "--reason", reason, "--report", report)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try f.head() == f.v100)
        #expect(try String(contentsOfFile: f.work + "/reason.txt", encoding: .utf8) == reason)
        #expect(!FileManager.default.fileExists(atPath: f.work + "/pwned") && !FileManager.default.fileExists(atPath: f.work + "/pwned2"))
        let vars = try String(contentsOfFile: f.work + "/vars.txt", encoding: .utf8)
        for expected in [
            "RELEASE_GUARDIAN_ACTION=revert-to", "RELEASE_GUARDIAN_ENVIRONMENT=prod", "RELEASE_GUARDIAN_FROM_COMMIT=\(f.v110)",
            "RELEASE_GUARDIAN_FROM_VERSION=1.1.0", "RELEASE_GUARDIAN_TO_COMMIT=\(f.v100)", "RELEASE_GUARDIAN_TO_VERSION=1.0.0",
            "RELEASE_GUARDIAN_TAG=v1.0.0",
        ] {
            #expect(vars.contains(expected), "\(expected) missing: \(vars)")
        }
        // Streamed with a prefix; in the plan, the report and the ledger.
        #expect(result.stderr.contains("   before: dumped") && result.stderr.contains("   after: smoke ok"), "\(result.stderr)")
        #expect(result.stdout.contains("Before the push, runs"), "\(result.stdout)")
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        #expect(markdown.contains("## Commands") && markdown.contains("| after | `echo smoke ok` | exit 0 |"), "\(markdown)")
        // The table survives the reason's pipes and line break.
        let reasonRow = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| Reason |") })
        #expect(reasonRow.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 3, "\(reasonRow)")
        let checks =
            LedgerTests.deployments(try LedgerTests.records(in: f.clone.origin, scratch: f.scratch)).last?["checks"] as? [[String: Any]]
        #expect(checks?.map { $0["result"] as? String } == ["exit 0", "exit 0"], "\(String(describing: checks))")
    }

    @Test func aFailingBeforeStopsEverythingBeforeAnyChange() throws {
        let f = try DeployFixture()
        try configure(f, before: ["echo 'pg_dump: connection refused' >&2; exit 3"])
        let before = try f.everything()
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("safeguard before") && result.stderr.contains("exit 3"), "\(result.stderr)")
        #expect(result.stderr.contains("pg_dump: connection refused"), "\(result.stderr)")
        #expect(try f.head() == f.v110)
        #expect(try f.everything() == before, "a failing before changed something")
    }

    @Test func aFailingAfterIsVerificationFailedWithTheUndo() throws {
        let f = try DeployFixture()
        try configure(f, after: ["echo 'GET /map: 500'; exit 1"])
        let report = f.scratch.root + "/report.md"
        let result = try f.revert("v1.0.0", "--yes", "--report", report)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try f.head() == f.v100, "the push stays done")
        #expect(
            result.stderr.contains("verification failed") && result.stderr.contains("release-guardian undo --env prod"), "\(result.stderr)")
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        #expect(markdown.hasPrefix("# Rollback report: prod → v1.0.0: verification failed"), "\(markdown)")
        let record = LedgerTests.deployments(try LedgerTests.records(in: f.clone.origin, scratch: f.scratch)).last
        #expect(record?["outcome"] as? String == "done")
        #expect((record?["checks"] as? [[String: Any]])?.last?["result"] as? String == "exit 1")
    }
}

/// The team is told before and after, through the real binary to a receiver on loopback over
/// HTTPS; the webhook URL, a secret, is never printed or recorded; a receiver that answers 500
/// never fails the deployment.
struct NoticeTests {
    @Test func postsBeforeAndAfterAndNeverShowsTheURL() throws {
        let f = try DeployFixture()
        let authority = try ThrowawayAuthority(in: f.scratch.root + "/authority", scratch: f.scratch)
        let receiver = try WebhookReceiver(scratch: f.scratch, authority: authority)
        defer { receiver.stop() }
        let secret = "/hooks/s3cr3t-t0k3n-abc"
        try f.scratch.write(
            "[environment \"prod\"]\n    target = \(f.daemon.url("prod.git")) master\n[notify]\n    caFile = \(authority.authorityFile)\n",
            to: f.work + "/.release-guardian")
        let report = f.scratch.root + "/report.md"
        let result = try f.scratch.run(
            binary, ["revert-to", "v1.0.0", "--yes", "--reason", "map | broken", "--report", report, "--json"], in: f.work,
            extraEnvironment: ["RELEASE_GUARDIAN_WEBHOOK_URL": receiver.url(path: secret)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try f.head() == f.v100)
        let bodies = receiver.requests.map(\.body)
        #expect(bodies.count == 2, "\(bodies)")
        let texts = bodies.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }.compactMap {
            $0["text"]
        }
        #expect(texts.first?.contains("is about to roll back **prod**") == true, "\(texts)")
        #expect(texts.first?.contains("map \\| broken") == true, "\(texts)")
        #expect(texts.last?.hasPrefix("# Rollback report: prod → v1.0.0") == true, "\(texts)")
        #expect(receiver.requests.allSatisfy { $0.path == secret })
        let ledger = try f.scratch.git("log", "--format=%B", "refs/release-guardian/ledger", in: f.clone.origin)
        for text in [result.stdout, result.stderr, try String(contentsOfFile: report, encoding: .utf8), ledger] {
            #expect(!text.contains("s3cr3t"), "the webhook URL leaked: \(text)")
        }
        #expect(ledger.contains("\"name\":\"notice before\",\"result\":\"sent\""), "\(ledger)")

        // A receiver that fails: reported, and the rollback still done.
        let failing = try WebhookReceiver(scratch: f.scratch, authority: authority, status: 500, answer: "boom")
        defer { failing.stop() }
        let back = try f.scratch.run(
            binary, ["undo", "--env", "prod", "--yes"], in: f.work,
            extraEnvironment: ["RELEASE_GUARDIAN_WEBHOOK_URL": failing.url(path: secret)])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stderr.contains("Notice before: failed") && back.stderr.contains("500"), "\(back.stderr)")
        #expect(!back.stderr.contains("s3cr3t") && !back.stdout.contains("s3cr3t"))
        #expect(try f.head() == f.v110)
    }
}

/// What release-guardian holds as secrets never reaches a command, nor what a command prints.
struct StepCommandSecretTests {
    @Test func commandsGetNoSecretsAndTheirOutputHidesThem() throws {
        let f = try DeployFixture()
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nSSHSECRETKEYDATA0123456789abcdef\n-----END OPENSSH PRIVATE KEY-----"
        try f.scratch.write(
            "[environment \"prod\"]\n    target = \(f.daemon.url("prod.git")) master\n"
                + "    before = \"echo key=[$RELEASE_GUARDIAN_SSH_KEY] url=[$RELEASE_GUARDIAN_WEBHOOK_URL]; echo \\\"$SAME_KEY_ELSEWHERE\\\"; exit 3\"\n",
            to: f.work + "/.release-guardian")
        let result = try f.scratch.run(
            binary, ["revert-to", "v1.0.0", "--yes", "--json"], in: f.work,
            extraEnvironment: [
                "RELEASE_GUARDIAN_SSH_KEY": key, "RELEASE_GUARDIAN_WEBHOOK_URL": "http://127.0.0.1:9/hooks/SECRETTOKEN123",
                // The same key under another name, as a careless script would print it.
                "SAME_KEY_ELSEWHERE": key,
            ])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("key=[] url=[]"), "\(result.stderr)")
        for text in [result.stdout, result.stderr] {
            #expect(!text.contains("SSHSECRETKEYDATA") && !text.contains("SECRETTOKEN123"), "a secret leaked: \(text)")
        }
    }
}

/// A commit that reverted migrations, deployed forward, leaves the schema ahead of the code as a
/// rollback would: the same safeguard.
struct ForwardMigrationGapTests {
    @Test func aDeployThatDropsMigrationFilesIsRefusedLikeARollback() throws {
        let f = try DeployFixture()
        try f.scratch.write("create table t;\n", to: f.work + "/0001_t.sql")
        _ = try f.clone.git("add", "0001_t.sql")
        _ = try f.clone.git("commit", "-qm", "add a migration")
        try f.clone.tag("v1.2.0")
        _ = try f.clone.git("rm", "-q", "0001_t.sql")
        _ = try f.clone.git("commit", "-qm", "Revert \"add a migration\"")
        try f.clone.tag("v1.3.0")
        _ = try f.clone.git("push", "-q", "--follow-tags", "origin", "main")
        _ = try f.clone.git("push", "-q", f.daemon.url("prod.git"), "+v1.2.0^{commit}:refs/heads/master")
        try f.scratch.write(
            "[environment \"prod\"]\n    target = \(f.daemon.url("prod.git")) master\n[migrations]\n    tool = files\n    path = 0*.sql\n",
            to: f.work + "/.release-guardian")
        let refused = try f.scratch.run(binary, ["deploy", "v1.3.0", "--yes"], in: f.work)
        #expect(
            refused.status == 1 && refused.stderr.contains("safeguard migration-gap") && refused.stderr.contains("0001_t.sql"),
            "\(refused.stderr)")
        #expect(try f.head() == f.clone.rev("v1.2.0^{commit}"))
        let accepted = try f.scratch.run(binary, ["deploy", "v1.3.0", "--yes", "--accept-migration-gap"], in: f.work)
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try f.head() == f.clone.rev("v1.3.0^{commit}"))
    }
}
