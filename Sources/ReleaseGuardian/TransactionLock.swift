import Foundation

/// Serialises the server's judged ref transactions. git locks each ref of a transaction, not the
/// refs a rule reads: two pushes prepared at the same moment (v1.1.0-rc.1 and v1.1.0) would each
/// be judged without the other. The `prepared` hook takes this lock before it reads any ref; it
/// stays held until the same git process's `committed` or `aborted` hook, so each guarded
/// transaction is judged against every one written before it.
///
/// The lock is an flock(2) on `release-guardian.transaction.lock`, so the kernel does the
/// excluding and a lock can never outlive the process holding it. The hook exits between
/// `prepared` and `committed`, so a small keeper process (`server-hook hold-transaction-lock`)
/// inherits the locked descriptor and holds it until `committed`/`aborted` stops it, or until
/// the git process it serves is gone, or a minute has passed: a crashed push never blocks the
/// repository for longer than that.
struct TransactionLock {
    let lockPath: String
    /// `keeper-pid owner-pid`: which keeper holds the lock, for which git process.
    let keeperPath: String
    /// The git process the hook runs for.
    let owner: pid_t

    static let keeperLifetime: TimeInterval = 60

    init(directory: String, owner: pid_t = TransactionLock.gitProcess()) {
        let base = directory + (directory.hasSuffix("/") ? "" : "/") + "release-guardian.transaction"
        lockPath = base + ".lock"
        keeperPath = base + ".keeper"
        self.owner = owner
    }

    /// A lock taken by `acquire`: handed to a keeper when the transaction goes ahead, or dropped.
    final class Held {
        fileprivate let descriptor: Int32?
        fileprivate init(descriptor: Int32?) { self.descriptor = descriptor }
        deinit { if let descriptor { close(descriptor) } }
    }

    enum Failure: Error {
        case busy
        case io(String)
    }

    /// Waits for the lock (up to `timeout` seconds). Within a transaction nested in one this git
    /// process already holds (the packed-refs part of a deletion), it is already held.
    func acquire(timeout: TimeInterval = 20) throws(Failure) -> Held {
        if let keeper = currentKeeper(), keeper.owner == owner, Self.isRunning(keeper.pid) { return Held(descriptor: nil) }
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("\(lockPath): \(String(cString: strerror(errno)))") }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                close(descriptor)
                throw .busy
            }
            usleep(2_000)
        }
        return Held(descriptor: descriptor)
    }

    /// Hands the lock to a keeper process that holds it until `release`, or until the git
    /// process is gone. Without a keeper (it cannot start) the lock ends with this process:
    /// the transaction goes ahead unserialised rather than blocked.
    func keep(_ held: Held) {
        guard let descriptor = held.descriptor,
            let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        else { return }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for stream in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, stream, "/dev/null", stream == 0 ? O_RDONLY : O_WRONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, descriptor, 3)  // dup2 clears close-on-exec
        let arguments = [executable, "server-hook", "hold-transaction-lock", String(owner)]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return }
        let record = lockPath + ".\(getpid())"
        if (try? "\(pid) \(owner)\n".write(toFile: record, atomically: false, encoding: .utf8)) != nil {
            rename(record, keeperPath)
        }
    }

    /// The keeper's loop: holds descriptor 3 (the locked file) while `owner` runs, at most
    /// `keeperLifetime`; `release` ends it sooner.
    static func hold(for owner: pid_t) {
        let deadline = Date().addingTimeInterval(keeperLifetime)
        while isRunning(owner) && Date() < deadline { usleep(20_000) }
    }

    /// `committed` or `aborted`: stops the keeper of this git process's transaction.
    func release() {
        guard let keeper = currentKeeper(), keeper.owner == owner else { return }
        // SIGKILL: the keeper holds nothing but the descriptor, and a signal it could ignore
        // (SIGTERM, ignored by some parents' children) would keep the lock until its git exits.
        unlink(keeperPath)
        kill(keeper.pid, SIGKILL)
        // Back once it is gone (a millisecond or so), so the next push finds the lock free.
        for _ in 0..<200 where Self.isRunning(keeper.pid) { usleep(500) }
    }

    private func currentKeeper() -> (pid: pid_t, owner: pid_t)? {
        guard let text = try? String(contentsOfFile: keeperPath, encoding: .utf8) else { return nil }
        let fields = text.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
        return fields.count == 2 ? (fields[0], fields[1]) : nil
    }

    /// Whether `pid` is a running process (a zombie, finished but not yet reaped, is not).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return true
        }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// The git process this hook runs for: the nearest ancestor whose name starts with `git`
    /// (git → hook script → maybe a dispatcher or wrapper → this process), read from /proc; the
    /// grandparent when none is found within a few levels.
    static func gitProcess() -> pid_t {
        var pid = getppid()
        for _ in 0..<8 {
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            if name.hasPrefix("git") { return pid }
            guard let next = parent(of: pid), next > 1 else { break }
            pid = next
        }
        return parent(of: getppid()) ?? getppid()
    }

    private static func parent(of pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        // After "pid (comm)": the state, then the parent's pid.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }
}
