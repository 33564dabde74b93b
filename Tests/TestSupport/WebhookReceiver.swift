import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A certificate authority made for one test with openssl, and a server certificate it signed for
/// 127.0.0.1 and localhost: what a team with a private authority has.
public struct ThrowawayAuthority: Sendable {
    /// The authority's certificate (PEM): what `notify.caFile` names.
    public let authorityFile: String
    public let certificateFile: String
    public let keyFile: String

    public init(in directory: String, scratch: Scratch) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        authorityFile = directory + "/authority.pem"
        certificateFile = directory + "/server.pem"
        keyFile = directory + "/server.key"
        try scratch.write("subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n", to: directory + "/server.ext")
        let ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for arguments in [
            ["req", "-x509"] + ecKey + [
                "-days", "1", "-subj", "/CN=release-guardian test authority", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", directory + "/authority.key", "-out", authorityFile,
            ],
            ["req"] + ecKey + ["-subj", "/CN=127.0.0.1", "-keyout", keyFile, "-out", directory + "/server.csr"],
            [
                "x509", "-req", "-in", directory + "/server.csr", "-CA", authorityFile, "-CAkey", directory + "/authority.key",
                "-CAcreateserial", "-days", "1", "-extfile", directory + "/server.ext", "-out", certificateFile,
            ],
        ] {
            let result = try scratch.run("/usr/bin/openssl", arguments, in: directory)
            guard result.status == 0 else { throw ScratchError.commandFailed("openssl \(arguments[0])", result.status, result.stderr) }
        }
    }
}

/// An incoming webhook on loopback (Servers/webhook-receiver.py), over HTTPS with `authority`'s
/// certificate or plain HTTP without one, recording every request it gets.
public final class WebhookReceiver: @unchecked Sendable {
    public struct Request: Sendable, Equatable {
        public let method: String
        public let path: String
        public let contentType: String?
        public let body: String
    }

    public let port: Int
    private let isHTTPS: Bool
    private let record: String
    private let process = Process()

    /// Answers every POST with `status` and `answer`, or never answers (`hangs`).
    public init(scratch: Scratch, authority: ThrowawayAuthority?, status: Int = 200, answer: String = "ok", hangs: Bool = false) throws {
        port = try freeLoopbackPort()
        isHTTPS = authority != nil
        record = scratch.root + "/webhook-\(port).jsonl"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Servers/webhook-receiver.py").path
        var arguments = ["python3", script, record, "\(port)", "--status", "\(status)", "--answer", answer]
        if let authority { arguments += ["--cert", authority.certificateFile, "--key", authority.keyFile] }
        if hangs { arguments.append("--hang") }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = scratch.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitForListener(port: port)
    }

    /// `https://127.0.0.1:PORT` + `path` (`http://` without an authority).
    public func url(path: String, host: String = "127.0.0.1") -> String {
        (isHTTPS ? "https://" : "http://") + "\(host):\(port)" + path
    }

    /// The requests received so far, in order.
    public var requests: [Request] {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let method = object["method"] as? String, let path = object["path"] as? String, let body = object["body"] as? String
            else { return nil }
            return Request(method: method, path: path, contentType: object["content_type"] as? String, body: body)
        }
    }

    /// SIGKILL: a child of the test runner may not get SIGTERM (its signal mask can block it).
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
