import Foundation
import TestSupport
import Testing

/// `status`: every target read from itself (git daemon on loopback), beside the ledger.
struct StatusTests {
    func json(_ result: ProcessResult) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test func showsWhatRunsAndWarnsOfDriftOutsideChangeAndPending() throws {
        let f = try DeployFixture()
        try f.makeDeployRemote("prod-web.git", running: f.v110)
        try f.configure(targets: [f.daemon.url("prod.git") + " master", f.daemon.url("prod-web.git") + " master"])
        // Both targets run v1.1.0, put there by hand (no record yet): no warning but none to give.
        var status = try f.scratch.run(binary, ["status", "--env", "prod", "--check"], in: f.work)
        #expect(status.status == 0, "\(status.stdout) \(status.stderr)")
        #expect(status.stdout.contains("v1.1.0"), "\(status.stdout)")

        // A rollback of both, then one target changed by hand: drift and an outside change.
        #expect(try f.revert("v1.0.0", "--yes").status == 0)
        try f.scratch.git("update-ref", "refs/heads/master", f.v110, in: f.daemon.basePath + "/prod-web.git")
        status = try f.scratch.run(binary, ["status", "--env", "prod", "--check", "--json"], in: f.work)
        #expect(status.status == 1, "\(status.stdout) \(status.stderr)")
        let environments = try json(status)["environments"] as? [[String: Any]]
        let warnings = environments?.first?["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.hasPrefix("drift:") }, "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("outside change:") && $0.contains("prod-web.git") }, "\(warnings)")
        let targets = environments?.first?["targets"] as? [[String: Any]] ?? []
        #expect(targets.first?["commit"] as? String == f.v100, "\(targets)")
        #expect((targets.first?["lastRecord"] as? [String: Any])?["tag"] as? String == "v1.0.0", "\(targets)")

        // Both back on v1.0.0 by the tool: the prod ref (the highest release, v1.1.0) is pending.
        try f.scratch.git("update-ref", "refs/heads/master", f.v100, in: f.daemon.basePath + "/prod-web.git")
        status = try f.scratch.run(binary, ["status", "--env", "prod", "--json"], in: f.work)
        let pending = (try json(status)["environments"] as? [[String: Any]])?.first?["warnings"] as? [String] ?? []
        #expect(pending.contains { $0.hasPrefix("pending:") && $0.contains("1 commit ahead") }, "\(pending)")
    }

    @Test func anUnreachableTargetIsShownAsSuchNeverAsNothingDeployed() throws {
        let f = try DeployFixture()
        try f.configure(targets: [f.daemon.url("prod.git") + " master", "git://127.0.0.1:9/nowhere.git master"])
        let status = try f.scratch.run(binary, ["status", "--check"], in: f.work)
        #expect(status.status == 2, "\(status.stdout) \(status.stderr)")
        #expect(status.stdout.contains("cannot be reached"), "\(status.stdout)")
        #expect(!status.stdout.contains("nothing deployed"), "\(status.stdout)")
        let unknown = try f.scratch.run(binary, ["status", "--env", "staging"], in: f.work)
        #expect(unknown.status == 2 && unknown.stderr.contains("no environment named staging"), "\(unknown.stderr)")
    }
}
