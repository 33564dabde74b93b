import Foundation

/// Serialises the server's judged ref transactions. git locks each ref of a transaction, not the
/// refs a rule reads: two pushes prepared at the same moment (v1.1.0-rc.1 and v1.1.0) would each
/// be judged without the other. The `prepared` hook takes this lock before it reads any ref, and
/// the `committed` or `aborted` hook of the same git process releases it, so each guarded
/// transaction is judged against every one written before it.
///
/// The lock is a file holding the pid of the git process that writes the refs (the hook's
/// grandparent: git → sh → release-guardian). A lock whose git process is gone is stale and is
/// taken over, so a killed push never blocks the repository.
struct TransactionLock {
    let path: String
    /// The git process the hook runs for.
    let owner: pid_t

    init(directory: String, owner: pid_t = TransactionLock.gitProcess()) {
        path = directory + (directory.hasSuffix("/") ? "" : "/") + "release-guardian.transaction.lock"
        self.owner = owner
    }

    /// Waits for the lock (up to `timeout` seconds); false when another push held it all along.
    func acquire(timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if descriptor >= 0 {
                let text = "\(owner)\n"
                _ = text.withCString { write(descriptor, $0, strlen($0)) }
                close(descriptor)
                return true
            }
            guard errno == EEXIST else { return false }
            switch holder() {
            case owner?: return true  // this git process already holds it (nested transactions)
            case let other? where !Self.isRunning(other): unlink(path)  // stale
            case nil: unlink(path)  // unreadable or half-written: stale
            default: break
            }
            if Date() > deadline { return false }
            usleep(5_000)
        }
    }

    /// Releases the lock if this git process holds it.
    func release() {
        if holder() == owner { unlink(path) }
    }

    private func holder() -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether `pid` is a running process (a zombie, finished but not yet reaped, is not).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// The hook's grandparent (git → hook script → this process), read from /proc; the parent
    /// when it is git itself (a hook that exec'd this binary) or /proc cannot tell.
    static func gitProcess() -> pid_t {
        let parent = getppid()
        guard let stat = try? String(contentsOfFile: "/proc/\(parent)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return parent }
        // After "pid (comm)": state, then the parent's pid.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let grandparent = pid_t(fields[1]), grandparent > 1 else { return parent }
        let name = (try? String(contentsOfFile: "/proc/\(parent)/comm", encoding: .utf8)) ?? ""
        return name.hasPrefix("git") ? parent : grandparent
    }
}
