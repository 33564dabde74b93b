import Foundation
import TestSupport
import Testing

/// The built `release-guardian` binary: `$RELEASE_GUARDIAN_BINARY`, else the one built beside
/// the test bundle (`swift test -c release` tests the release binary).
let binary: String = {
    if let path = ProcessInfo.processInfo.environment["RELEASE_GUARDIAN_BINARY"], !path.isEmpty { return path }
    let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    let besideTests = testBundle.deletingLastPathComponent().appendingPathComponent("release-guardian").path
    if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return packageRoot.appendingPathComponent(".build/debug/release-guardian").path
}()

/// A developer's clone with the hook installed by the real binary, and its bare origin holding
/// `main` and the release `v1.0.0`.
final class GuardedClone {
    let scratch: Scratch
    let origin: String
    let work: String

    init(installHook: Bool = true) throws {
        scratch = try Scratch()
        origin = try scratch.bareRepository()
        work = try scratch.repository()
        try scratch.git("remote", "add", "origin", origin, in: work)
        try scratch.commit("first", in: work, file: "app.txt")
        try scratch.tag("v1.0.0", in: work)
        try scratch.git("push", "-q", "origin", "main", "v1.0.0", in: work)
        if installHook {
            let install = try releaseGuardian("install")
            #expect(install.status == 0, "install: \(install.stderr)")
        }
    }

    /// Runs the binary in the clone.
    func releaseGuardian(_ arguments: String..., input: String? = nil, in directory: String? = nil) throws -> ProcessResult {
        try scratch.run(binary, arguments, in: directory ?? work, input: input)
    }

    func git(_ arguments: String...) throws -> String {
        try scratch.git(arguments, in: work)
    }

    /// `git push` as a developer types it; the installed hook runs.
    func push(_ arguments: String...) throws -> ProcessResult {
        try scratch.run("/usr/bin/env", ["git", "push"] + arguments, in: work)
    }

    /// Every ref of origin with its value, to prove a refused push changed nothing.
    func originRefs() throws -> String {
        try scratch.git("for-each-ref", "--format=%(refname) %(objectname)", in: origin)
    }

    func commit(_ message: String) throws -> String {
        try scratch.commit(message, in: work)
    }

    func tag(_ name: String, at target: String = "HEAD", annotated: Bool = true) throws {
        try scratch.tag(name, in: work, at: target, annotated: annotated)
    }
}
