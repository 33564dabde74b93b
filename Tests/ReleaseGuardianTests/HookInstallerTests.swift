import Foundation
import Testing
@testable import ReleaseGuardian

struct HookInstallerTests {
    @Test func installsExactlyTheScriptKeptInTheRepository() throws {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: packageRoot.appendingPathComponent("hooks/pre-push"), encoding: .utf8)
        #expect(HookInstaller.prePushScript == file)
    }

    @Test func writesTheBinaryPathIntoTheHookQuoted() {
        let script = HookInstaller.script(binaryPath: "/opt/it's here/release-guardian")
        #expect(script.contains("release_guardian='/opt/it'\\''s here/release-guardian'\n"))
        #expect(!script.contains("\nrelease_guardian=release-guardian\n"))
    }
}
