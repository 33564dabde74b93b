import Foundation
import TestSupport
import Testing
@testable import ReleaseGuardian

/// The start-up shortcut must agree with the full settings, or step aside.
struct QuickSettingsTests {
    let scratch: Scratch
    let work: String

    init() throws {
        scratch = try Scratch()
        work = try scratch.repository()
    }

    func quick() -> QuickSettings? {
        let environment = scratch.environment
        return QuickSettings.read(from: work, environment: { environment[$0] })
    }

    @Test func readsTheDefaultsAndThePlainSettings() throws {
        #expect(quick() == QuickSettings())
        try scratch.write("# policy\n[release]\n    main = trunk ; the old name\n    onlyVersionTags = yes\n", to: work + "/.release-guardian")
        #expect(quick() == QuickSettings(mainBranch: "refs/heads/trunk", onlyVersionTags: true))
        try scratch.git("config", "release-guardian.release.onlyVersionTags", "false", in: work)
        #expect(quick() == QuickSettings(mainBranch: "refs/heads/trunk", onlyVersionTags: false))
    }

    @Test func stepsAsideOnWhatItDoesNotParse() throws {
        for text in ["[include]\n    path = other\n", "[release]\n    main = \"quoted\"\n", "[release]\n    main = a\\\\\n b\n",
                     "[release]\n    onlyVersionTags = maybe\n", "[release\n"] {
            try scratch.write(text, to: work + "/.release-guardian")
            #expect(quick() == nil, "\(text)")
        }
    }

    @Test func findsTheRepositoryFromASubdirectoryAndAWorktree() throws {
        try scratch.commit("first", in: work)
        try FileManager.default.createDirectory(atPath: work + "/a/b", withIntermediateDirectories: true)
        let environment = scratch.environment
        #expect(RepositoryLayout.find(from: work + "/a/b", environment: { environment[$0] })?.workTree == work)
        let linked = scratch.root + "/linked"
        try scratch.git("worktree", "add", "-q", linked, in: work)
        let layout = RepositoryLayout.find(from: linked, environment: { environment[$0] })
        #expect(layout?.workTree == linked)
        #expect(layout.map { URL(fileURLWithPath: $0.commonDirectory).standardizedFileURL.path } == work + "/.git")
    }

    @Test func guardsWhatTheFullPolicyGuards() {
        let settings = QuickSettings(mainBranch: "refs/heads/trunk", onlyVersionTags: false)
        #expect(settings.guards("refs/heads/trunk"))
        #expect(!settings.guards("refs/heads/main"))
        #expect(settings.guards("refs/tags/v1.0.0") && settings.guards("refs/tags/V1") && settings.guards("refs/tags/2024.1"))
        #expect(!settings.guards("refs/tags/nightly"))
        #expect(settings.guards("refs/heads/release/v1.2.3") && !settings.guards("refs/heads/release/v1.2"))
        #expect(QuickSettings(mainBranch: "refs/heads/main", onlyVersionTags: true).guards("refs/tags/nightly"))
    }
}
