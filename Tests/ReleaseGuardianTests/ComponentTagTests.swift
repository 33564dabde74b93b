import Git
import Testing
@testable import ReleaseGuardian

/// Monorepo components (`[component "google-gax"] prefix = google-gax-v`): each component's tags
/// have their own lines and every rule, apart from the plain `v` tags and from each other.
struct ComponentTagTests {
    func settings(_ entries: [(String, String)]) throws -> Settings {
        var values = RawValues()
        values.merge(entries.map { .init(name: $0.0, value: $0.1) }, source: ".release-guardian")
        return try Settings(values)
    }

    var monorepo: Settings {
        get throws {
            try settings([("component.google-gax.prefix", "google-gax-v"), ("component.gapic-tools.prefix", "gapic-tools-v")])
        }
    }

    /// The released world (v1.0.0 on main) with google-gax-v5.0.4 released on a second commit.
    func releasedComponent(_ f: PolicyFixture) throws -> String {
        let commit = try f.commit("gax 5.0.4")
        try f.tag("google-gax-v5.0.4")
        try f.git("push", "-q", "origin", "main", "google-gax-v5.0.4")
        return commit
    }

    @Test func classifiesAComponentsTagsAfterItsStem() throws {
        let naming = try monorepo.tagNaming
        let gax = try #require(naming.component(named: "google-gax"))
        #expect(TagName("google-gax-v5.0.4", naming: naming) == .release(try SemanticVersion(parsing: "5.0.4"), gax))
        #expect(TagName("v5.0.4", naming: naming) == .release(try SemanticVersion(parsing: "5.0.4"), .plain))
        #expect(TagName("google-gax-v5.0.4").version == nil)  // without the setting: no version tag
        for malformed in ["google-gax-V5.0.4", "google-gax-5.0.4", "google-gax-v5.0", "google-gax-v5.0.4+build", "google-gax-vv5.0.4"] {
            guard case .malformedVersion(_, let suggestion) = TagName(malformed, naming: naming) else {
                Issue.record("\(malformed) should be a malformed version tag of google-gax")
                continue
            }
            if malformed != "google-gax-v5.0" { #expect(suggestion == "google-gax-v5.0.4", "\(malformed)") }
        }
        #expect(TagName("google-gax-latest", naming: naming) == .unversioned)
        #expect(TagName("google-gax-ｖ5.0.4", naming: naming) != .unversioned)
        if case .malformedVersion(_, let suggestion) = TagName("google-gax-ｖ5.0.4", naming: naming) {
            #expect(suggestion == "google-gax-v5.0.4")
        } else {
            Issue.record("a look-alike of a component's tag is a malformed version tag")
        }
        // Floating tags of a component, with the setting.
        var floating = naming
        floating.floatingTags = true
        guard case .floating(let tag) = TagName("google-gax-v5", naming: floating) else {
            Issue.record("google-gax-v5 is a floating tag of google-gax")
            return
        }
        #expect(tag.component == gax && tag.name == "google-gax-v5")
    }

    @Test func judgesAComponentsLinesApartFromThePlainTags() throws {
        let f = try PolicyFixture()
        let settings = try monorepo
        // The first release of a component is free, below the plain v1.0.0 or not.
        #expect(try f.rules([f.newTag("google-gax-v0.1.0", f.tag("google-gax-v0.1.0", at: f.firstCommit))], settings: settings) == [])
        try f.deleteLocalTag("google-gax-v0.1.0")
        _ = try releasedComponent(f)
        let next = try f.commit("next")
        try f.git("push", "-q", "origin", "main")
        /// The rules on a new tag at main's tip (made here, then deleted: the next check must not see it).
        func rules(_ name: String, at target: String = "HEAD", settings: Settings) throws -> [Violation] {
            defer { try? f.deleteLocalTag(name) }
            return try f.evaluate([f.newTag(name, f.tag(name, at: target))], settings: settings)
        }
        // A skip in the component, with the real names in the message and the fix.
        let skip = try rules("google-gax-v5.0.6", settings: settings)
        #expect(skip.map(\.rule) == [.tagSkip])
        #expect(
            skip.first?.message.contains(
                "after google-gax-v5.0.4, the next version of line 5.0 of component google-gax is google-gax-v5.0.5") == true)
        #expect(skip.first?.fix.contains("git tag -a google-gax-v5.0.5") == true)
        #expect(try rules("google-gax-v5.0.5", settings: settings).isEmpty)
        // The plain tags know nothing of it: v1.0.1 is the next plain version, v5.0.5 a skip of v1.0.0.
        #expect(try rules("v1.0.1", settings: settings).isEmpty)
        #expect(try rules("v5.0.5", settings: settings).map(\.rule) == [.tagSkip])
        // Nor does another component.
        #expect(try rules("gapic-tools-v1.0.3", settings: settings).isEmpty)
        // Order within the component.
        let order = try rules("google-gax-v5.0.3", at: next, settings: settings)
        #expect(order.map(\.rule) == [.tagOrder])
        #expect(order.first?.fix.contains("google-gax-v5.0.5") == true)
        // Without the component the same tag is not guarded at all.
        #expect(try rules("google-gax-v5.0.6", settings: Settings()).isEmpty)
    }

    @Test func guardsAComponentsTagsWithEveryTagRule() throws {
        let f = try PolicyFixture()
        var settings = try monorepo
        settings.requireAnnotated = false  // turned on below for tag-annotated
        let released = try releasedComponent(f)
        let tag = try f.rev("refs/tags/google-gax-v5.0.4")
        let second = try f.commit("second")
        try f.git("push", "-q", "origin", "main")
        #expect(try f.rules([("refs/tags/google-gax-v5.0.4", tag, second)], settings: settings) == [.tagImmutable])
        #expect(try f.rules([("refs/tags/google-gax-v5.0.4", tag, nil)], settings: settings) == [.tagDelete])
        let spelling = try f.evaluate([f.newTag("google-gax-V5.0.4", f.tag("google-gax-V5.0.4", at: released))], settings: settings)
        #expect(spelling.map(\.rule) == [.tagFormat, .tagSpelling])
        #expect(spelling.first?.fix.contains("Use the release tag google-gax-v5.0.4") == true)
        #expect(spelling.last?.message.contains("already tagged as google-gax-v5.0.4") == true)
        try f.deleteLocalTag("google-gax-V5.0.4")
        #expect(try f.rules([f.newTag("google-gax-5.0.5", f.tag("google-gax-5.0.5"))], settings: settings) == [.tagFormat])
        try f.deleteLocalTag("google-gax-5.0.5")
        settings.requireAnnotated = true
        #expect(
            try f.rules([f.newTag("google-gax-v5.0.5", f.tag("google-gax-v5.0.5", annotated: false))], settings: settings) == [
                .tagAnnotated
            ])
        try f.deleteLocalTag("google-gax-v5.0.5")
        try f.git("checkout", "-q", "-b", "feature")
        let feature = try f.commit("feature")
        #expect(try f.rules([f.newTag("google-gax-v5.0.5", f.tag("google-gax-v5.0.5", at: feature))], settings: settings) == [.tagOnMain])
    }

    /// `release/google-gax-v5.0` vouches for hotfixes of google-gax's line 5.0, not of plain 5.0;
    /// `release/v5.0` not for google-gax's.
    @Test func aMaintenanceBranchVouchesForItsComponentOnly() throws {
        let f = try PolicyFixture()
        var settings = try monorepo
        settings.maintenanceBranches = ["refs/heads/release/*"]
        let released = try releasedComponent(f)
        // Plain line 5.0 released too, so that release/v5.0 vouches for plain hotfixes of it.
        try f.tag("v5.0.0", at: released)
        try f.git("push", "-q", "origin", "v5.0.0")
        _ = try f.commit("5.1")
        try f.tag("google-gax-v5.1.0")
        try f.git("push", "-q", "origin", "main", "google-gax-v5.1.0")
        try f.git("branch", "release/google-gax-v5.0", released)
        try f.git("branch", "release/v5.0", released)
        try f.git("push", "-q", "origin", "release/google-gax-v5.0", "release/v5.0")
        try f.git("checkout", "-q", "release/google-gax-v5.0")
        let hotfix = try f.commit("hotfix")
        try f.git("push", "-q", "origin", "release/google-gax-v5.0")
        #expect(try f.rules([f.newTag("google-gax-v5.0.5", f.tag("google-gax-v5.0.5", at: hotfix))], settings: settings) == [])
        // The hotfix on the plain line's branch instead: it vouches for v5.0.1, not for google-gax.
        try f.git("push", "-q", "--force", "origin", "\(hotfix):refs/heads/release/v5.0")
        try f.git("push", "-q", "--force", "origin", "\(released):refs/heads/release/google-gax-v5.0")
        #expect(try f.rules([f.newTag("google-gax-v5.0.5", f.rev("refs/tags/google-gax-v5.0.5"))], settings: settings) == [.tagOnMain])
        #expect(try f.rules([f.newTag("v5.0.1", f.tag("v5.0.1", at: hotfix))], settings: settings) == [])
    }

    @Test func readsTheSameVerdictsFromTheFilesAsFromLibgit2() throws {
        let f = try PolicyFixture()
        let settings = try monorepo
        _ = try releasedComponent(f)
        try f.git("pack-refs", "--all")
        let next = try f.commit("next")
        for updates in [
            [f.newTag("google-gax-v5.0.6", try f.tag("google-gax-v5.0.6"))],
            [f.newTag("google-gax-v5.0.5", try f.tag("google-gax-v5.0.5"))],
            [f.newTag("google-gax-V5.0.4", try f.tag("google-gax-V5.0.4"))],
            [f.newTag("gapic-tools-v2.0.0", try f.tag("gapic-tools-v2.0.0"))],
            [("refs/tags/google-gax-v5.0.4", try f.rev("refs/tags/google-gax-v5.0.4"), next)],
        ] as [[(String, String?, String?)]] {
            #expect(
                try f.evaluateFileFirst(updates, settings: settings).violations == f.evaluate(updates, settings: settings), "\(updates)")
        }
    }

    @Test func refusesPrefixesThatCannotNameAComponentsTagsAlone() throws {
        for (entries, key) in [
            ([("component.gax.prefix", "gax-")], "component.gax.prefix"),  // no final v
            ([("component.gax.prefix", "v")], "component.gax.prefix"),  // the plain tags
            ([("component.gax.prefix", "v2-v")], "component.gax.prefix"),  // v2-v1.0.0 reads as a plain version tag
            ([("component.gax.prefix", "1x-v")], "component.gax.prefix"),
            ([("component.gax.prefix", "gax v")], "component.gax.prefix"),
            ([("component.gax.prefix", "gax..v")], "component.gax.prefix"),
            ([("component.gax.other", "x")], "component.gax.prefix"),  // a section without a prefix
            ([("component.a.prefix", "a-v"), ("component.b.prefix", "a-v1-v")], "component.b.prefix"),  // a-v1-v1.0.0: both
            ([("component.a.prefix", "a-v"), ("component.b.prefix", "a-1-v")], "component.b.prefix"),
            ([("component.a.prefix", "a-v"), ("component.b.prefix", "a-v")], "component.b.prefix"),
            ([("component.a.prefix", "a-v1-v"), ("component.b.prefix", "a-v")], "component.b.prefix"),
            ([("component.a b.prefix", "ab-v")], "component.a b"),
            ([("component.gax.prefix", "gax-v"), ("environment.prod.ref", "release-tags:other")], "environment.prod.ref"),
        ] as [([(String, String)], String)] {
            let error = #expect(throws: ConfigurationError.self, "\(entries)") { try settings(entries) }
            if case .invalidValue(let refused, _, _, _)? = error {
                #expect(refused == key, "\(entries): \(String(describing: error))")
            } else if let error {
                Issue.record("\(entries) refused for another reason: \(error)")
            }
        }
        // A stem that merely starts another (storage- and storage-control-) is fine.
        let nested = try settings([("component.storage.prefix", "storage-v"), ("component.control.prefix", "storage-control-v")])
        #expect(TagName("storage-control-v1.0.0", naming: nested.tagNaming).component?.name == "control")
        #expect(TagName("storage-v1.0.0", naming: nested.tagNaming).component?.name == "storage")
    }

    @Test func mapsAComponentsReleaseTagsWhereTheConfigurationSays() throws {
        let settings = try settings([
            ("component.google-gax.prefix", "google-gax-v"),
            ("environment.prod.ref", "release-tags"),
            ("environment.gax-prod.ref", "release-tags:google-gax"),
        ])
        let gax = Deployment(ref: "refs/tags/google-gax-v5.0.4", settings: settings)
        #expect(gax.environment == "gax-prod" && gax.component == "google-gax" && gax.version == "5.0.4")
        #expect(Deployment(ref: "refs/heads/release/google-gax-v5.0.4", settings: settings).environment == "gax-prod")
        #expect(Deployment(ref: "refs/tags/google-gax-v5.1.0-rc.1", settings: settings).environment == nil)
        let plain = Deployment(ref: "refs/tags/v5.0.4", settings: settings)
        #expect(plain.environment == "prod" && plain.component == nil && plain.version == "5.0.4")
        // By default a component's tags go nowhere: `release-tags` is the plain tags'.
        let unmapped = Deployment(
            ref: "refs/tags/google-gax-v5.0.4", settings: try self.settings([("component.google-gax.prefix", "google-gax-v")]))
        #expect(unmapped.environment == nil && unmapped.component == "google-gax" && unmapped.version == "5.0.4")
        // A glob keeps a component's pre-releases out, as it does the plain ones'.
        let globbed = try self.settings([
            ("component.google-gax.prefix", "google-gax-v"), ("environment.gax.ref", "refs/tags/google-gax-v*"),
        ])
        #expect(Deployment(ref: "refs/tags/google-gax-v5.0.4", settings: globbed).environment == "gax")
        #expect(Deployment(ref: "refs/tags/google-gax-v5.1.0-rc.1", settings: globbed).environment == nil)
    }

    /// `audit` judges a component's tags on their own lines, as `ci` does.
    @Test func auditJudgesAComponentsTagsOnTheirOwnLines() throws {
        let f = try PolicyFixture()
        try f.git("config", "release-guardian.component.google-gax.prefix", "google-gax-v")
        _ = try releasedComponent(f)
        _ = try f.commit("gax 5.0.6")
        try f.tag("google-gax-v5.0.6")
        try f.tag("v1.1.0")
        try f.git("push", "-q", "origin", "main", "google-gax-v5.0.6", "v1.1.0")
        let report = try TagAudit(options: .init(directory: f.work)).run()
        let verdicts = Dictionary(uniqueKeysWithValues: report.entries.map { ($0.tag, $0.violations.map(\.rule)) })
        #expect(verdicts["google-gax-v5.0.4"] == [])
        #expect(verdicts["google-gax-v5.0.6"] == [.tagSkip])
        #expect(verdicts["v1.0.0"] == [] && verdicts["v1.1.0"] == [])
        #expect(report.acceptingBaseline == "v1.1.0")
    }

    /// On a server, the committed file may add a component (it guards tags nothing guarded)
    /// but not change the server's, nor turn floating tags on.
    @Test func aCommittedFileMayAddAComponentButNotLoosen() throws {
        var server = try settings([("component.gax.prefix", "gax-v")])
        let committed = try settings([
            ("component.gax.prefix", "other-v"), ("component.tools.prefix", "tools-v"), ("component.clash.prefix", "gax-1-v"),
            ("release.floatingTags", "true"),
        ])
        server.tighten(with: committed)
        #expect(server.components.map(\.prefix) == ["gax-v", "tools-v"])
        #expect(server.floatingTags == false)
        #expect(committed.loosenings(comparedTo: Settings()) == ["release.floatingTags"])
        // A component given two prefixes is refused, not silently the last one.
        #expect(throws: ConfigurationError.self) {
            try settings([("component.x.prefix", "x-v"), ("component.x.prefix", "y-v")])
        }
        // Where the server refuses every tag that is no release, a component would let its
        // names in (`evil-v1.0.0`): none is added.
        var strict = try settings([("release.onlyVersionTags", "true")])
        strict.tighten(with: try settings([("component.evil.prefix", "evil-v")]))
        #expect(strict.components.isEmpty)
        #expect(RefKind("refs/tags/evil-v1.0.0", settings: strict) == .tag(.unversioned))
    }

    // MARK: - Each component's baseline

    /// `[component "NAME"] baseline = NAME-vX.Y.Z`: a strict release tag of that component.
    @Test func aComponentsBaselineIsAReleaseTagOfThatComponent() throws {
        let base = [("component.google-gax.prefix", "google-gax-v"), ("component.gapic-tools.prefix", "gapic-tools-v")]
        let settings = try settings(base + [("component.google-gax.baseline", "google-gax-v5.0.4")])
        #expect(settings.componentBaselines["google-gax"]?.tag == "google-gax-v5.0.4")
        #expect(settings.componentBaselines["google-gax"]?.key == "component.google-gax.baseline")
        #expect(settings.componentBaselines["gapic-tools"] == nil && settings.baseline == nil)
        for value in [
            "v5.0.4", "gapic-tools-v1.0.3", "google-gax-v5.0", "google-gax-V5.0.4", "google-gax-5.0.4", "google-gax-v5.0.4+b", "",
        ] {
            let error = #expect(throws: ConfigurationError.self, "\(value)") {
                try self.settings(base + [("component.google-gax.baseline", value)])
            }
            #expect(
                "\(error.map { "\($0)" } ?? "")".contains(
                    "component.google-gax.baseline = '\(value)' in .release-guardian is not valid: expected a release tag name of component google-gax such as google-gax-v1.4.2"
                ), "\(value): \(String(describing: error))")
        }
        // A baseline of a component that has no prefix is a component without one.
        #expect(throws: ConfigurationError.self) { try self.settings([("component.other.baseline", "other-v1.0.0")]) }
    }

    /// Each namespace only by its own baseline: release.baseline never covers a component's tags.
    @Test func aTagFindsOnlyItsNamespacesBaseline() throws {
        let base = [("component.google-gax.prefix", "google-gax-v"), ("component.gapic-tools.prefix", "gapic-tools-v")]
        let settings = try settings(base + [("release.baseline", "v4.3.0"), ("component.google-gax.baseline", "google-gax-v5.0.4")])
        #expect(settings.baseline(forTag: "v1.15.2")?.tag == "v4.3.0")
        #expect(settings.baseline(forTag: "google-gax-v4.3.1")?.tag == "google-gax-v5.0.4")
        #expect(settings.baseline(forTag: "google-gax-V4.3.1")?.tag == "google-gax-v5.0.4")
        #expect(settings.baseline(forTag: "gapic-tools-v0.2.0") == nil)
        #expect(settings.baselines.map(\.key) == ["release.baseline", "component.google-gax.baseline"])
        let gax = try #require(settings.componentBaselines["google-gax"])
        #expect(gax.mayCover("google-gax-v4.3.1") && gax.mayCover("google-gax-v5.0.4") && !gax.mayCover("google-gax-v5.0.5"))
        let history = Baseline.History(version: gax.version, made: 100, component: gax.component)
        #expect(history.covers("google-gax-v4.3.1", made: 100) && !history.covers("google-gax-v4.3.1", made: 101))
        #expect(!history.covers("google-gax-v5.1.0", made: 50))
    }

    /// On a server a committed component baseline may lower the server's, never raise it, add
    /// one, or move it to another prefix.
    @Test func aCommittedComponentBaselineMayOnlyLowerTheServers() throws {
        func settings(_ baseline: String?, prefix: String = "gax-v") throws -> Settings {
            try self.settings([("component.gax.prefix", prefix)] + (baseline.map { [("component.gax.baseline", $0)] } ?? []))
        }
        var server = try settings("gax-v2.0.0")
        server.tighten(with: try settings("gax-v1.5.0"))
        #expect(server.componentBaselines["gax"]?.tag == "gax-v1.5.0")
        server = try settings("gax-v2.0.0")
        server.tighten(with: try settings("gax-v3.0.0"))
        #expect(server.componentBaselines["gax"]?.tag == "gax-v2.0.0")
        server = try settings(nil)
        server.tighten(with: try settings("gax-v1.0.0"))
        #expect(server.componentBaselines.isEmpty)
        server = try settings("gax-v2.0.0")
        server.tighten(with: try settings(nil))
        #expect(server.componentBaselines.isEmpty)
        server = try settings("gax-v2.0.0")
        server.tighten(with: try settings("gax-tools-v1.0.0", prefix: "gax-tools-v"))
        #expect(server.componentBaselines["gax"]?.tag == "gax-v2.0.0")
        // A component the committed file adds comes without its baseline.
        server = try self.settings([])
        server.tighten(with: try settings("gax-v1.0.0"))
        #expect(server.components.map(\.name) == ["gax"] && server.componentBaselines.isEmpty)

        #expect(try settings("gax-v3.0.0").loosenings(comparedTo: settings("gax-v2.0.0")) == ["component.gax.baseline"])
        #expect(try settings("gax-v3.0.0").loosenings(comparedTo: settings(nil)) == ["component.gax.baseline"])
        #expect(try settings("gax-v1.0.0").loosenings(comparedTo: settings("gax-v2.0.0")).isEmpty)
        #expect(try settings(nil).loosenings(comparedTo: settings("gax-v2.0.0")).isEmpty)
    }
}
