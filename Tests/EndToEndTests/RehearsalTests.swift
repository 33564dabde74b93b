import Foundation
import TestSupport
import Testing

/// `rehearseIn`: prod is rolled back only to what was rolled back in preprod first.
struct RehearsalTests {
    @Test func prodRefusesAnUnrehearsedRollbackThenTakesTheRehearsedOne() throws {
        let f = try DeployFixture()
        try f.makeDeployRemote("preprod.git", running: f.v110)
        try f.scratch.write(
            """
            [environment "prod"]
                target = \(f.daemon.url("prod.git")) master
                rehearseIn = preprod
                rehearsalMaxAge = 2h
            [environment "preprod"]
                ref = refs/heads/main
                target = \(f.daemon.url("preprod.git")) master

            """, to: f.work + "/.release-guardian")
        let before = try f.everything()
        let refused = try f.revert("v1.0.0", "--yes")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(
            refused.stderr.contains("safeguard rehearsal") && refused.stderr.contains("revert-to v1.0.0 --env preprod"), "\(refused.stderr)"
        )
        #expect(try f.everything() == before, "a refused rollback changed something")

        #expect(try f.revert("v1.0.0", "--yes", "--env", "preprod").status == 0)
        let rehearsed = try f.revert("v1.0.0", "--yes")
        #expect(rehearsed.status == 0, "\(rehearsed.stderr)")
        #expect(rehearsed.stderr.contains("Rehearsed in preprod"), "\(rehearsed.stderr)")
        #expect(try f.head() == f.v100)
    }

    @Test func skipRehearsalGoesAheadAndIsRecorded() throws {
        let f = try DeployFixture()
        try f.makeDeployRemote("preprod.git", running: f.v110)
        try f.scratch.write(
            "[environment \"prod\"]\n    target = \(f.daemon.url("prod.git")) master\n    rehearseIn = preprod\n"
                + "[environment \"preprod\"]\n    ref = refs/heads/main\n    target = \(f.daemon.url("preprod.git")) master\n",
            to: f.work + "/.release-guardian")
        let result = try f.revert("v1.0.0", "--yes", "--skip-rehearsal")
        #expect(result.status == 0, "\(result.stderr)")
        let records = try LedgerTests.records(in: f.clone.origin, scratch: f.scratch)
        let checks = records.last?["checks"] as? [[String: Any]] ?? []
        #expect(
            checks.contains { $0["name"] as? String == "rehearsal" && ($0["result"] as? String)?.contains("skip") == true }, "\(records)")
    }

    @Test(arguments: ["prod", "staging", ""])
    func rehearseInMustNameAnotherEnvironment(_ value: String) throws {
        let f = try DeployFixture()
        try f.scratch.write(
            "[environment \"prod\"]\n    target = \(f.daemon.url("prod.git")) master\n    rehearseIn = \(value)\n",
            to: f.work + "/.release-guardian")
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 2 && result.stderr.contains("rehearseIn"), "\(result.stderr)")
    }
}
