import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A program started with the scratch environment and left running, to be waited for or
/// killed: two deployers at once, or an operator's run cut off mid-push.
public final class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    private let outPath: String
    private let errPath: String

    public init(_ executable: String, _ arguments: [String], in directory: String, scratch: Scratch) throws {
        let id = UUID().uuidString
        outPath = scratch.root + "/.bg-out-" + id
        errPath = scratch.root + "/.bg-err-" + id
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = scratch.environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }

    /// SIGKILL, as a closed laptop lid or an OOM killer ends a run: no handler runs.
    public func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for the end; returns the status and the output.
    public func wait() -> ProcessResult {
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

/// Waits until `path` exists (at most `timeout` seconds); false when it never appeared.
public func waitForFile(_ path: String, timeout: Double = 30) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if FileManager.default.fileExists(atPath: path) { return true }
        usleep(50_000)
    }
    return false
}
