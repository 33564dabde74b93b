import Foundation
import TestSupport
import Testing

/// A monorepo's component tags roll back like plain ones, within their own component: to the
/// component's environment only, `previous` among the component's releases, and `status`
/// names them.
@Suite(.serialized) struct ComponentRollbackTests {
    /// The fixture's prod (plain v tags) and gaxprod (`release-tags:gax`), each served by the
    /// daemon and running the second release of its namespace.
    static func fixture() throws -> DeployFixture {
        let f = try DeployFixture()
        try f.clone.tag("gax-v1.0.0", at: f.v100)
        try f.clone.tag("gax-v1.1.0", at: f.v110)
        try f.clone.git("push", "-q", "origin", "gax-v1.0.0", "gax-v1.1.0")
        try f.makeDeployRemote("gax.git", running: f.v110)
        try f.scratch.write(
            """
            [component "gax"]
                prefix = gax-v
            [environment "prod"]
                ref = release-tags
                target = \(f.daemon.url("prod.git")) master
            [environment "gaxprod"]
                ref = release-tags:gax
                target = \(f.daemon.url("gax.git")) master

            """, to: f.work + "/.release-guardian")
        return f
    }

    @Test func aComponentTagGoesToItsOwnEnvironmentOnly() throws {
        let f = try Self.fixture()
        let before = try f.everything()
        let elsewhere = try f.revert("gax-v1.0.0", "--env", "prod", "--yes")
        #expect(elsewhere.status != 0)
        #expect(elsewhere.stderr.contains("gax-v1.0.0 does not deploy to prod (it deploys to gaxprod)"), "\(elsewhere.stderr)")
        let plainElsewhere = try f.revert("v1.0.0", "--env", "gaxprod", "--yes")
        #expect(plainElsewhere.status != 0)
        #expect(plainElsewhere.stderr.contains("v1.0.0 does not deploy to gaxprod (it deploys to prod)"), "\(plainElsewhere.stderr)")
        #expect(try f.everything() == before)
    }

    @Test func previousIsTheComponentsReleaseBeforeAndStatusNamesIt() throws {
        let f = try Self.fixture()
        let status = try f.scratch.run(binary, ["status", "--env", "gaxprod"], in: f.work)
        #expect(status.stdout.contains("gax-v1.1.0"), "\(status.stdout)\(status.stderr)")
        let back = try f.revert("previous", "--env", "gaxprod", "--yes")
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        #expect(back.stdout.contains("gaxprod → gax-v1.0.0"), "\(back.stdout)")
        #expect(try f.head("gax.git") == f.v100)
        #expect(try f.head("prod.git") == f.v110)
        let after = try f.scratch.run(binary, ["status", "--env", "gaxprod"], in: f.work)
        #expect(after.stdout.contains("gax-v1.0.0"), "\(after.stdout)")
        #expect(try f.scratch.git("rev-parse", "refs/heads/release/gax-v1.0.0", in: f.work) == f.v100)
    }
}
