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

/// The released world (TestSupport's `ReleaseWorld`: a clone and its bare origin, v1.0.0
/// released on main and pushed), guarded by the real binary: its pre-push hook installed in the
/// clone (the default), its server hooks in origin, or neither.
final class GuardedClone: ReleaseWorld {
    enum Hook {
        /// No hook: the test installs one itself, or runs the binary directly.
        case none
        /// `release-guardian install` in the clone.
        case prePush
        /// `release-guardian install --server` in origin (the clone has no hook), with `policy`
        /// as the server's policy file when given.
        case server(policy: String? = nil)
    }

    init(hook: Hook = .prePush, originHead: String = "main") throws {
        try super.init(.released, originHead: originHead)
        switch hook {
        case .none:
            break
        case .prePush:
            let install = try releaseGuardian("install")
            #expect(install.status == 0, "install: \(install.stderr)")
        case .server(let policy):
            try installServerHook(policy: policy)
        }
    }

    /// `release-guardian install --server` in origin, with `policy` as its policy file when given.
    func installServerHook(policy: String? = nil) throws {
        var arguments = ["install", "--server", "--repo", origin]
        if let policy {
            try scratch.write(policy, to: scratch.root + "/policy")
            arguments += ["--policy", scratch.root + "/policy"]
        }
        let install = try scratch.run(binary, arguments, in: scratch.root)
        #expect(install.status == 0, "\(install.stderr)")
    }

    /// Runs the binary in the clone.
    func releaseGuardian(_ arguments: String..., input: String? = nil, in directory: String? = nil) throws -> ProcessResult {
        try scratch.run(binary, arguments, in: directory ?? work, input: input)
    }
}
