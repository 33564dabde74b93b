import Foundation
import TestSupport
import Testing

/// `status` in CI against targets reached over SSH (an `sshd` on loopback): no `~/.ssh` at all,
/// the deploy key only in `RELEASE_GUARDIAN_SSH_KEY` (its text) and the known hosts only in
/// `RELEASE_GUARDIAN_KNOWN_HOSTS`, both targets read at once (one thread each).
struct StatusOverSSHTests {
    let f: DeployFixture
    let sshd: SSHServer
    /// The deploy key's text, read before `~/.ssh` is removed.
    let key: String
    /// What `ssh-keyscan` prints for the server: the known hosts CI would hold.
    let knownHosts: String

    init() throws {
        f = try DeployFixture()
        sshd = try SSHServer(scratch: f.scratch)
        for name in ["ssh-prod.git", "ssh-prod-web.git"] {
            try f.scratch.deployRemote(at: f.scratch.root + "/" + name, running: f.v110, from: f.work)
        }
        try f.configure(targets: [
            sshd.url(f.scratch.root + "/ssh-prod.git") + " master", sshd.url(f.scratch.root + "/ssh-prod-web.git") + " master",
        ])
        let ssh = f.scratch.root + "/home/.ssh"
        key = try String(contentsOfFile: ssh + "/id_ed25519", encoding: .utf8)
        let scan = try f.scratch.run("/usr/bin/ssh-keyscan", ["-p", "\(sshd.port)", "127.0.0.1"], in: f.scratch.root)
        #expect(scan.status == 0 && scan.stdout.contains("ssh-ed25519"), "\(scan.stderr)")
        knownHosts = scan.stdout
        try FileManager.default.removeItem(atPath: ssh)
    }

    func status(_ arguments: [String], knownHosts: String) throws -> ProcessResult {
        try f.scratch.run(
            binary, ["status"] + arguments, in: f.work,
            extraEnvironment: ["RELEASE_GUARDIAN_SSH_KEY": key, "RELEASE_GUARDIAN_KNOWN_HOSTS": knownHosts])
    }

    func targets(_ result: ProcessResult) throws -> [[String: Any]] {
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let environments = report?["environments"] as? [[String: Any]]
        return environments?.first?["targets"] as? [[String: Any]] ?? []
    }

    @Test func readsEveryTargetWithTheKeyAndKnownHostsFromTheEnvironment() throws {
        #expect(!FileManager.default.fileExists(atPath: f.scratch.root + "/home/.ssh"))
        let before = Set(try FileManager.default.subpathsOfDirectory(atPath: f.scratch.root))

        let json = try status(["--env", "prod", "--check", "--json"], knownHosts: knownHosts)
        #expect(json.status == 0, "\(json.stdout) \(json.stderr)")
        let targets = try targets(json)
        #expect(targets.count == 2, "\(json.stdout)")
        for target in targets {
            #expect(target["commit"] as? String == f.v110, "\(target)")
            #expect(target["label"] as? String == "v1.1.0", "\(target)")
            #expect(target["unreachable"] == nil, "\(target)")
        }

        let text = try status(["--env", "prod"], knownHosts: knownHosts)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("ssh-prod.git master: \(f.v110.prefix(7)) (v1.1.0)"), "\(text.stdout)")
        #expect(text.stdout.contains("ssh-prod-web.git master: \(f.v110.prefix(7)) (v1.1.0)"), "\(text.stdout)")
        for output in [json.stdout, json.stderr, text.stdout, text.stderr] { #expect(!output.contains("PRIVATE KEY")) }
        // status reads: no file written anywhere (the key least of all), no ~/.ssh made.
        let written = Set(try FileManager.default.subpathsOfDirectory(atPath: f.scratch.root)).subtracting(before)
        #expect(written.filter { !$0.hasPrefix("sshd/") }.isEmpty, "\(written.sorted())")
    }

    /// A host key that does not match, or no line for the host, is a target that cannot be
    /// reached (exit 2 with --check), never one where nothing is deployed; a reachable target
    /// beside it is still read.
    @Test(arguments: [true, false])
    func aTargetWhoseHostKeyDoesNotMatchIsUnreachableNeverNothingDeployed(impostor: Bool) throws {
        try f.configure(targets: [
            sshd.url(f.scratch.root + "/ssh-prod.git") + " master", f.daemon.url("prod.git") + " master",
        ])
        let other = f.scratch.root + "/impostor_ed25519"
        _ = try f.scratch.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other], in: f.scratch.root)
        let impostorKey = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ")
        let lines =
            impostor ? "[127.0.0.1]:\(sshd.port) \(impostorKey[0]) \(impostorKey[1])\n" : "# no line for this server\n"

        let text = try status(["--env", "prod", "--check"], knownHosts: lines)
        #expect(text.status == 2, "\(text.stdout) \(text.stderr)")
        #expect(
            text.stdout.contains("ssh-prod.git master: cannot be reached: ") && text.stdout.contains("RELEASE_GUARDIAN_KNOWN_HOSTS")
                && text.stdout.contains(impostor ? "another key, or revoked" : "no line for it"), "\(text.stdout)")
        #expect(!text.stdout.contains("nothing deployed"), "\(text.stdout)")
        #expect(text.stdout.contains("prod.git master: \(f.v110.prefix(7)) (v1.1.0)"), "\(text.stdout)")

        let json = try status(["--env", "prod", "--check", "--json"], knownHosts: lines)
        #expect(json.status == 2, "\(json.stderr)")
        let targets = try targets(json)
        #expect(targets.count == 2, "\(json.stdout)")
        #expect(targets.first?["commit"] == nil && (targets.first?["unreachable"] as? String)?.contains("host key") == true, "\(targets)")
        #expect(targets.last?["commit"] as? String == f.v110, "\(targets)")
    }
}
