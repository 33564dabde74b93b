import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A free TCP port on loopback, found by binding port 0.
public func freeLoopbackPort() throws -> Int {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { throw ScratchError.commandFailed("socket", errno, "") }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) }
    }
    guard bound == 0 else { throw ScratchError.commandFailed("bind", errno, "") }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Waits until something listens on 127.0.0.1:`port` (at most `timeout` seconds).
public func waitForListener(port: Int, timeout: Double = 10) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        close(socketFD)
        if connected == 0 { return }
        usleep(50_000)
    }
    throw ScratchError.commandFailed("waiting for port \(port)", -1, "nothing listens")
}

/// `git daemon --enable=receive-pack` on loopback, serving the repositories under `basePath`.
public final class GitDaemon: @unchecked Sendable {
    public let port: Int
    public let basePath: String
    private let process = Process()

    public init(basePath: String, scratch: Scratch) throws {
        self.basePath = basePath
        port = try freeLoopbackPort()
        try FileManager.default.createDirectory(atPath: basePath, withIntermediateDirectories: true)
        // git-daemon itself, not the `git daemon` wrapper, which would outlive a terminate().
        let execPath = try scratch.git("--exec-path", in: scratch.root)
        process.executableURL = URL(fileURLWithPath: execPath + "/git-daemon")
        process.arguments = [
            "--reuseaddr", "--listen=127.0.0.1", "--port=\(port)", "--base-path=\(basePath)",
            "--export-all", "--enable=receive-pack", "--informative-errors", basePath,
        ]
        process.environment = scratch.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitForListener(port: port)
    }

    /// `git://127.0.0.1:PORT/<name>`
    public func url(_ name: String) -> String { "git://127.0.0.1:\(port)/\(name)" }

    /// SIGKILL: a child of the test runner may not get SIGTERM (its signal mask can block it).
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// An OpenSSH server on loopback with a throwaway host key, letting in the scratch user's
/// throwaway key (written to the scratch HOME's ~/.ssh/id_ed25519, where clients look).
public final class SSHServer: @unchecked Sendable {
    public let port: Int
    let directory: String
    let scratch: Scratch

    public init(scratch: Scratch) throws {
        self.scratch = scratch
        directory = scratch.root + "/sshd"
        port = try freeLoopbackPort()
        let ssh = scratch.root + "/home/.ssh"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: ssh, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for (path, comment) in [(directory + "/host_ed25519", "host"), (ssh + "/id_ed25519", "deployer")] {
            let keygen = try scratch.run(
                "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path], in: scratch.root)
            guard keygen.status == 0 else { throw ScratchError.commandFailed("ssh-keygen", keygen.status, keygen.stderr) }
        }
        try FileManager.default.copyItem(atPath: ssh + "/id_ed25519.pub", toPath: directory + "/authorized_keys")
        try scratch.write(
            """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory)/host_ed25519
            AuthorizedKeysFile \(directory)/authorized_keys
            PidFile \(directory)/sshd.pid
            UsePAM no
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password

            """, to: directory + "/sshd_config")
        // sshd daemonizes (no -D): it closes every inherited descriptor, including the one
        // Foundation's Process watches to learn that a child ended, which would stall every
        // later Process of the test run. It is stopped through its pid file.
        let start = try scratch.run("/usr/sbin/sshd", ["-f", directory + "/sshd_config", "-E", directory + "/sshd.log"], in: directory)
        guard start.status == 0 else { throw ScratchError.commandFailed("sshd", start.status, start.stderr) }
        try waitForListener(port: port)
    }

    /// The server's public host key (`ssh-ed25519 BASE64 host`).
    public var hostPublicKeyFile: String { directory + "/host_ed25519.pub" }

    /// `ssh://USER@127.0.0.1:PORT/<absolute path>`
    public func url(_ path: String) -> String { "ssh://\(NSUserName())@127.0.0.1:\(port)\(path)" }

    /// Adds the server's host key to the scratch HOME's known_hosts, hashed like
    /// `HashKnownHosts yes` writes it when asked.
    public func trust(hashed: Bool) throws {
        let knownHosts = scratch.root + "/home/.ssh/known_hosts"
        let scan = try scratch.run("/usr/bin/ssh-keyscan", ["-p", "\(port)", "127.0.0.1"], in: scratch.root)
        guard scan.status == 0, !scan.stdout.isEmpty else { throw ScratchError.commandFailed("ssh-keyscan", scan.status, scan.stderr) }
        let existing = (try? String(contentsOfFile: knownHosts, encoding: .utf8)) ?? ""
        try scratch.write(existing + scan.stdout, to: knownHosts)
        if hashed {
            let hash = try scratch.run("/usr/bin/ssh-keygen", ["-H", "-f", knownHosts], in: scratch.root)
            guard hash.status == 0 else { throw ScratchError.commandFailed("ssh-keygen -H", hash.status, hash.stderr) }
        }
    }

    /// Writes a known_hosts line for this server with another key: what a changed host key looks like.
    public func trustAnImpostorKey() throws {
        let other = directory + "/other_ed25519"
        _ = try scratch.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other], in: scratch.root)
        let publicKey = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ")
        try scratch.write("[127.0.0.1]:\(port) \(publicKey[0]) \(publicKey[1])\n", to: scratch.root + "/home/.ssh/known_hosts")
    }

    /// SIGKILL: a child of the test runner may not get SIGTERM (its signal mask can block it).
    public func stop() {
        if let text = try? String(contentsOfFile: directory + "/sshd.pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(pid, SIGKILL)
        }
    }

    deinit { stop() }
}

/// A program run on a pseudo-terminal, to answer its prompts as an operator would.
public final class PseudoTerminalProcess: @unchecked Sendable {
    private let master: Int32
    private let process = Process()
    public private(set) var output = ""

    public init(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String]) throws {
        // posix_openpt & co are not visible from Swift: the same through /dev/ptmx and Linux's
        // ioctls (TIOCSPTLCK to unlock the pair, TIOCGPTN for the slave's number).
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, UInt(0x4004_5431), &unlock) == 0, ioctl(master, UInt(0x8004_5430), &number) == 0 else {
            throw ScratchError.commandFailed("open /dev/ptmx", errno, "")
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw ScratchError.commandFailed("open pty", errno, "") }
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Reads until `text` appears in the output (or `timeout` seconds pass); returns the output.
    @discardableResult
    public func read(until text: String, timeout: Double = 30) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !output.contains(text), Date() < deadline {
            var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let count = Glibc.read(master, &buffer, buffer.count)
            if count <= 0 { break }
            output += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return output
    }

    public func type(_ text: String) {
        _ = text.withCString { Glibc.write(master, $0, strlen($0)) }
    }

    /// Waits for the program to end, collecting the rest of its output; returns its status.
    public func wait() -> Int32 {
        process.waitUntilExit()
        read(until: "\u{0}", timeout: 0.5)
        close(master)
        return process.terminationStatus
    }
}
