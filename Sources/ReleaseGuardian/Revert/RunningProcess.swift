import Foundation

/// This run as `host:pid`, written into a ledger intent, and whether the run that wrote one
/// is gone: an intent of a run that died is settled, one still in progress is left alone.
enum RunningProcess {
    static var current: String { "\(hostName):\(getpid())" }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        return gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "localhost"
    }

    /// True when `process` (`host:pid`) ran on this host and no longer runs; nil when it ran
    /// elsewhere (nothing here can tell).
    static func hasEnded(_ process: String) -> Bool? {
        guard let colon = process.lastIndex(of: ":"), let pid = Int32(process[process.index(after: colon)...]) else { return nil }
        guard process[..<colon] == hostName else { return nil }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
