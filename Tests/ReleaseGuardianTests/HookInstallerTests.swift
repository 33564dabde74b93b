import Foundation
import Testing
@testable import ReleaseGuardian

struct HookInstallerTests {
    @Test(arguments: [
        (Hook.prePush, "hooks/pre-push"), (Hook.preReceive, "hooks/pre-receive"),
        (Hook.referenceTransaction, "hooks/reference-transaction"),
    ])
    func installsExactlyTheScriptKeptInTheRepository(_ hook: Hook, _ path: String) throws {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
        #expect(hook.script == file)
    }

    @Test func writesTheBinaryPathIntoTheHookQuoted() {
        let script = HookInstaller.script(.prePush, binaryPath: "/opt/it's here/release-guardian")
        #expect(script.contains("release_guardian='/opt/it'\\''s here/release-guardian'\n"))
        #expect(!script.contains("\nrelease_guardian=release-guardian\n"))
    }
}

/// The README's snippets for hook managers are the texts `install` writes or asks for.
struct HookManagerSnippetTests {
    static let readme: String = {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    @Test(arguments: [("sh", Hook.huskyLines), ("yaml", Hook.lefthookConfiguration), ("sh", Hook.lefthookScript)])
    func theReadmeShowsWhatInstallWrites(_ language: String, _ text: String) {
        #expect(Self.readme.contains("```\(language)\n\(text)```"))
    }
}
