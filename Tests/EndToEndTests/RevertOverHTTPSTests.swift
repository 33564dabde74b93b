import Foundation
import TestSupport
import Testing

/// `revert-to` to a deploy remote over HTTPS with a token from the environment, against a
/// `git http-backend` behind TLS and basic auth on loopback (Servers/https-git-server.py).
struct RevertOverHTTPSTests {
    let f: DeployFixture
    let root: String
    let port: Int
    let server = Process()

    init() throws {
        f = try DeployFixture()
        root = f.scratch.root + "/https"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let cert = try f.scratch.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=DNS:127.0.0.1,IP:127.0.0.1", "-keyout", root + "/key.pem", "-out", root + "/cert.pem",
            ], in: root)
        guard cert.status == 0 else { throw ScratchError.commandFailed("openssl", cert.status, cert.stderr) }
        try f.scratch.deployRemote(at: root + "/prod.git", running: f.v110, from: f.work)
        port = try freeLoopbackPort()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Servers/https-git-server.py").path
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", script, root, "\(port)", root + "/cert.pem", root + "/key.pem", "deployer", "s3cret-token"]
        server.environment = f.scratch.environment
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        try waitForListener(port: port)
    }

    func configure(url: String, trustTestCA: Bool = true) throws {
        try f.scratch.write(
            "[environment \"prod\"]\n    target = \(url) master\n"
                + (trustTestCA ? "[deploy]\n    caFile = \(root)/cert.pem\n" : ""), to: f.work + "/.release-guardian")
    }

    func revert(token: String?) throws -> ProcessResult {
        try f.scratch.run(
            binary, ["revert-to", "v1.0.0", "--yes"], in: f.work,
            extraEnvironment: token.map { ["RELEASE_GUARDIAN_HTTPS_TOKEN": $0, "RELEASE_GUARDIAN_HTTPS_USER": "deployer"] } ?? [:])
    }

    func prodHead() throws -> String { try f.scratch.git("rev-parse", "refs/heads/master", in: root + "/prod.git") }

    func stop() {
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
    }

    @Test func rollsBackWithTheTokenFromTheEnvironmentAndNeverPrintsIt() throws {
        defer { stop() }
        try configure(url: "https://127.0.0.1:\(port)/prod.git")
        let refused = try revert(token: nil)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("authentication failed"), "\(refused.stderr)")
        #expect(try prodHead() == f.v110)
        let done = try revert(token: "s3cret-token")
        #expect(done.status == 0, "\(done.stderr)")
        #expect(try prodHead() == f.v100)
        #expect(!(done.stdout + done.stderr).contains("s3cret-token"))
    }

    @Test func redactsATokenWrittenInTheURL() throws {
        defer { stop() }
        try configure(url: "https://deployer:s3cret-token@127.0.0.1:\(port)/prod.git")
        let result = try f.scratch.run(binary, ["revert-to", "v1.0.0", "--yes"], in: f.work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try prodHead() == f.v100)
        #expect(!(result.stdout + result.stderr).contains("s3cret-token"))
        #expect(result.stdout.contains("https://***@127.0.0.1:\(port)/prod.git"))
    }

    @Test func refusesACertificateItDoesNotTrust() throws {
        defer { stop() }
        try configure(url: "https://127.0.0.1:\(port)/prod.git", trustTestCA: false)
        let result = try revert(token: "s3cret-token")
        #expect(result.status == 2)
        #expect(result.stderr.contains("TLS certificate of 127.0.0.1 is not trusted"), "refused for another reason: \(result.stderr)")
        // The TLS library's own reason (a self-signed certificate: no trusted authority signed it).
        #expect(result.stderr.contains("not trusted (the SSL certificate is invalid: "), "\(result.stderr)")
        #expect(result.stderr.contains("deploy.caFile"))
        #expect(!result.stderr.contains("s3cret-token"))
        #expect(try prodHead() == f.v110)
    }
}
