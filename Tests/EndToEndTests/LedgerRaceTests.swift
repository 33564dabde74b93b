import Foundation
import TestSupport
import Testing

/// Two rollbacks from two machines at the same moment, sharing one ledger on an origin served by
/// `git daemon` (a local path would not test the lease): both end up recorded.
struct LedgerRaceTests {
    @Test func twoDeployersAtOnceAreBothRecorded() throws {
        let f = try DeployFixture()
        // origin, served over the network; its pre-receive holds every ledger push until two
        // have arrived, so the two rollbacks' first ledger pushes race for real.
        let origin = f.daemon.basePath + "/origin.git"
        _ = try f.scratch.git("clone", "-q", "--mirror", f.clone.origin, origin, in: f.scratch.root)
        let gate = f.scratch.root + "/ledger-gate"
        try LedgerTests.install(
            """
            #!/bin/sh
            while read old new ref; do
              if [ "$ref" = refs/release-guardian/ledger ]; then
                touch '\(gate)'.$$
                i=0
                while [ "$(ls '\(gate)'.* | wc -l)" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
              fi
            done
            exit 0

            """, as: origin + "/hooks/pre-receive", scratch: f.scratch)
        try f.clone.git("remote", "set-url", "origin", f.daemon.url("origin.git"))
        // A second machine, rolling back another set of targets at the same moment.
        try f.makeDeployRemote("prod-b.git", running: f.v110)
        let second = f.scratch.root + "/second"
        _ = try f.scratch.git("clone", "-q", f.daemon.url("origin.git"), second, in: f.scratch.root)
        try f.scratch.write(
            "[environment \"prod\"]\n    target = \(f.daemon.url("prod-b.git")) master\n", to: second + "/.release-guardian")

        let first = try BackgroundProcess(binary, ["revert-to", "v1.0.0", "--yes", "--reason", "first"], in: f.work, scratch: f.scratch)
        let other = try BackgroundProcess(binary, ["revert-to", "v1.0.0", "--yes", "--reason", "second"], in: second, scratch: f.scratch)
        let results = [first.wait(), other.wait()]
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        #expect(try f.head() == f.v100)
        #expect(try f.head("prod-b.git") == f.v100)
        let arrivals = try FileManager.default.contentsOfDirectory(atPath: f.scratch.root).filter { $0.hasPrefix("ledger-gate.") }
        #expect(arrivals.count >= 3, "the first ledger pushes did not race: \(arrivals.count) arrivals")

        let deployments = LedgerTests.deployments(try LedgerTests.records(in: origin, scratch: f.scratch))
        #expect(deployments.count == 2, "\(deployments)")
        #expect(Set(deployments.compactMap { $0["reason"] as? String }) == ["first", "second"], "\(deployments)")
        #expect(deployments.allSatisfy { $0["outcome"] as? String == "done" }, "\(deployments)")
    }
}
