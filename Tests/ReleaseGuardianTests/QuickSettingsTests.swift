import Foundation
import Git
import TestSupport
import Testing
@testable import ReleaseGuardian

/// The start-up shortcut must agree with the full settings, or step aside.
struct PlainSettingsTests {
    let scratch: Scratch
    let work: String

    init() throws {
        let world = try ReleaseWorld(.empty)
        scratch = world.scratch
        work = world.work
    }

    /// The fast path's settings; nil when it steps aside (`.unknown`).
    func quick() throws -> Settings? {
        let environment = scratch.environment
        guard let layout = RepositoryLayout.find(from: work, environment: { environment[$0] }) else { return nil }
        return try PlainSettings.read(layout: layout, environment: { environment[$0] }).value
    }

    /// What libgit2's path reads, for comparison.
    func full() throws -> Settings {
        LibGit2.ignoreUserAndSystemConfiguration()
        return try Settings.load(for: Repository.open(at: work))
    }

    @Test func readsTheSameSettingsAsTheFullPath() throws {
        #expect(try quick() == Settings())
        try scratch.write(
            """
            # policy
            [release]
                main = trunk ; the old name
                onlyVersionTags = yes
                allowSkip
                maintenance = support/*
                floatingTags = true
            [environment "prod"]
                target = prod-interface master
            [component "Google-Gax"]
                prefix = google-gax-v
            [environment "gax"]
                ref = release-tags:Google-Gax
            """, to: work + "/.release-guardian")
        #expect(try quick()?.mainBranch == "refs/heads/trunk")
        #expect(try quick()?.components.map(\.prefix) == ["google-gax-v"])
        #expect(try quick()?.floatingTags == true)
        #expect(try quick() == (try full()))
        try scratch.git("config", "release-guardian.release.onlyVersionTags", "false", in: work)
        try scratch.git("config", "release-guardian.release.requireAnnotated", "no", in: work)
        #expect(try quick()?.onlyVersionTags == false)
        #expect(try quick() == (try full()))
    }

    @Test func stepsAsideOnWhatItDoesNotParse() throws {
        for text in [
            "[include]\n    path = other\n", "[release]\n    main = \"quoted\"\n", "[release]\n    main = a\\\\\n b\n", "[release\n",
        ] {
            try scratch.write(text, to: work + "/.release-guardian")
            #expect(try quick() == nil, "\(text)")
        }
        // Read, but invalid: the same error as the full path, not a second opinion.
        for text in ["[release]\n    onlyVersionTags = maybe\n", "[environment \"prod\"]\n    target = only-a-remote\n"] {
            try scratch.write(text, to: work + "/.release-guardian")
            let full = #expect(throws: ConfigurationError.self) { try self.full() }
            let fast = #expect(throws: ConfigurationError.self) { try self.quick() }
            #expect(fast == full, "\(text)")
        }
    }

    /// Found by fuzz/Targets/Config.swift: "\r\n" is one Character, so a CRLF file was one line
    /// and, when it began with a comment, read as empty: the hook ran with the defaults.
    @Test func readsACRLFFileAsLibgit2DoesOrStepsAside() throws {
        try scratch.write("# policy\r\n[release]\r\n    allowSkip = true\r\n", to: work + "/.release-guardian")
        #expect(try full().allowSkip)
        let expected = try full()
        #expect(try quick() == nil || quick() == expected)
        for text in ["[release ]\n    allowSkip = true\n", "[ release]\n", "[rel$ase]\n", "[release]\n    main = a\u{0}b\n"] {
            try scratch.write(text, to: work + "/.release-guardian")
            #expect(try quick() == nil, "\(text.debugDescription)")
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
        var settings = Settings()
        settings.mainBranch = "refs/heads/trunk"
        func guards(_ ref: String) -> Bool { RefKind(ref, settings: settings).isGuarded }
        #expect(guards("refs/heads/trunk"))
        #expect(!guards("refs/heads/main"))
        #expect(guards("refs/tags/v1.0.0") && guards("refs/tags/V1") && guards("refs/tags/2024.1"))
        #expect(!guards("refs/tags/nightly"))
        #expect(guards("refs/heads/release/v1.2.3") && guards("refs/heads/release/v1.2"))
        #expect(!guards("refs/heads/release/vX") && !guards("refs/heads/release/next"))
        settings.onlyVersionTags = true
        #expect(guards("refs/tags/nightly"))
    }
}
