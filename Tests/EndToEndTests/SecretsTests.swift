import Foundation
import TestSupport
import Testing

/// Credentials written into remote URLs — a token as the user (`https://ghp_…@host`, GitHub's
/// usual form), `user:password@`, or a token query parameter — never reach any output: the
/// plan, the steps, errors, `--json`, the report, the ledger, `env --format json`.
struct SecretsTests {
    /// Every secret the URLs below carry; none may appear in any output.
    static let secrets = ["ghp_S3CRETUSER", "S3CRETPW", "S3CRETQUERY", "S3CRETSIG", "S3CRETACCESS"]

    static func leaks(_ texts: String...) -> [String] {
        secrets.filter { secret in texts.contains { $0.contains(secret) } }
    }

    /// A deploy remote served by `git daemon` whose URL carries a token as its user and token
    /// query parameters (git daemon takes the query as part of the repository's directory name).
    static func secretTarget(_ f: DeployFixture) throws -> String {
        let name = "prod.git?private_token=S3CRETQUERY&sig=S3CRETSIG&access_token=S3CRETACCESS"
        try f.makeDeployRemote(name, running: f.v110)
        return "git://ghp_S3CRETUSER@127.0.0.1:\(f.daemon.port)/\(name)"
    }

    @Test func aRollbackThroughAURLWithTokensPrintsAndRecordsNoneOfThem() throws {
        let f = try DeployFixture()
        let url = try Self.secretTarget(f)
        try f.configure(targets: [url + " master"])
        let report = f.scratch.root + "/report.md"
        // A reason quoting a URL with a token too: redacted before it is escaped for Markdown.
        let result = try f.revert(
            "v1.0.0", "--yes", "--reason", "broken, see http://ci.example/x?private_token=S3CRETQUERY",
            "--report", report)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try f.head("prod.git?private_token=S3CRETQUERY&sig=S3CRETSIG&access_token=S3CRETACCESS") == f.v100)
        // Text: the plan on stdout, every step on stderr.
        #expect(Self.leaks(result.stdout, result.stderr).isEmpty, "text: \(result.stdout)\n\(result.stderr)")
        #expect(
            result.stdout.contains("git://***@127.0.0.1:\(f.daemon.port)/prod.git?private_token=***&sig=***&access_token=***"),
            "\(result.stdout)")
        // The report.
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        #expect(markdown.contains("# Rollback report"))
        #expect(Self.leaks(markdown).isEmpty, "report: \(markdown)")
        // The ledger, as the team reads it on origin.
        let ledger = try f.scratch.git("log", "--format=%B", "refs/release-guardian/ledger", in: f.clone.origin)
        #expect(ledger.contains("\"targets\""))
        #expect(Self.leaks(ledger).isEmpty, "ledger: \(ledger)")
    }

    @Test func jsonOfARollbackCarriesNoToken() throws {
        let f = try DeployFixture()
        try f.configure(targets: [try Self.secretTarget(f) + " master"])
        let plan = try f.revert("v1.0.0", "--dry-run", "--json")
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("\"targets\""))
        #expect(Self.leaks(plan.stdout, plan.stderr).isEmpty, "\(plan.stdout)")
        let done = try f.revert("v1.0.0", "--yes", "--json")
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("\"report\""))
        #expect(Self.leaks(done.stdout, done.stderr).isEmpty, "\(done.stdout)")
    }

    @Test func errorsNameTheTargetWithoutItsCredentials() throws {
        let f = try DeployFixture()
        let down = try freeLoopbackPort()
        try f.configure(targets: [
            "git://ghp_S3CRETUSER@127.0.0.1:\(down)/prod.git?token=S3CRETQUERY master",
            "https://alice:S3CRETPW@127.0.0.1:\(down)/prod.git?X-Amz-Signature=S3CRETSIG master",
        ])
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 2)
        #expect(result.stderr.contains("127.0.0.1:\(down)"), "\(result.stderr)")
        #expect(Self.leaks(result.stdout, result.stderr).isEmpty, "\(result.stderr)")
        // The second target, alone: its own error.
        try f.configure(targets: ["https://alice:S3CRETPW@127.0.0.1:\(down)/prod.git?X-Amz-Signature=S3CRETSIG master"])
        let https = try f.revert("v1.0.0", "--yes")
        #expect(https.status == 2)
        #expect(https.stderr.contains("https://***@127.0.0.1:\(down)"), "\(https.stderr)")
        #expect(Self.leaks(https.stdout, https.stderr).isEmpty, "\(https.stderr)")
    }

    @Test func envJSONShowsTheTargetWithoutItsCredentials() throws {
        let clone = try GuardedClone(hook: .none)
        try clone.scratch.write(
            """
            [environment "prod"]
                ref = release-tags
                target = https://alice:S3CRETPW@git.example.test/app.git master
                target = https://ghp_S3CRETUSER@github.example.test/org/app.git?access_token=S3CRETACCESS main
            """, to: clone.work + "/.release-guardian")
        let json = try clone.releaseGuardian("env", "v1.0.0", "--format", "json")
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.contains(#""remote":"https://***@git.example.test/app.git""#), "\(json.stdout)")
        #expect(json.stdout.contains(#""remote":"https://***@github.example.test/org/app.git?access_token=***""#), "\(json.stdout)")
        #expect(Self.leaks(json.stdout, json.stderr).isEmpty, "\(json.stdout)")
    }
}
