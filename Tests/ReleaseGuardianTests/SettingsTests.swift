import Foundation
import Git
import TestSupport
import Testing
@testable import ReleaseGuardian

struct SettingsTests {
    let scratch: Scratch
    let work: String

    init() throws {
        let world = try ReleaseWorld(.empty)
        scratch = world.scratch
        work = world.work
    }

    func load() throws -> Settings {
        try Settings.load(for: Repository.open(at: work))
    }

    @Test func usesTheDefaultsWithoutAFile() throws {
        #expect(try load() == Settings())
    }

    @Test func readsTheRepositoryFile() throws {
        try scratch.write(
            """
            # release policy
            [release]
                main = trunk
                maintenance = support/*
                maintenance = *.x
                requireAnnotated = true
                allowSkip = yes
                onlyVersionTags
            """, to: work + "/.release-guardian")
        let settings = try load()
        #expect(settings.mainBranch == "refs/heads/trunk")
        #expect(settings.maintenanceBranches == ["refs/heads/support/*", "refs/heads/*.x"])
        #expect(settings.requireAnnotated == true)
        #expect(settings.allowSkip == true)
        #expect(settings.onlyVersionTags == true)
    }

    @Test func letsTheRepositorysGitConfigOverrideTheFile() throws {
        try scratch.write("[release]\n  allowSkip = true\n  main = trunk\n", to: work + "/.release-guardian")
        try scratch.git("config", "release-guardian.release.allowSkip", "false", in: work)
        let settings = try load()
        #expect(settings.allowSkip == false)
        #expect(settings.mainBranch == "refs/heads/trunk")
    }

    @Test func namesTheFileAndLineOfASyntaxError() throws {
        try scratch.write("[release]\n  main = main\n[broken\n", to: work + "/.release-guardian")
        do {
            _ = try load()
            Issue.record("a malformed file was accepted")
        } catch {
            #expect("\(error)".contains(work + "/.release-guardian:3"))
        }
    }

    @Test func refusesAValueThatIsNotABoolean() throws {
        try scratch.write("[release]\n  allowSkip = maybe\n", to: work + "/.release-guardian")
        #expect(
            throws: ConfigurationError.invalidValue(
                key: "release.allowSkip", value: "maybe", source: work + "/.release-guardian", expected: "true or false")
        ) { try load() }
    }

    @Test func readsTheBaselineAsAStrictReleaseTag() throws {
        try scratch.write("[release]\n  baseline = v17.11.1\n", to: work + "/.release-guardian")
        #expect(try load().baseline?.tag == "v17.11.1")
        #expect(try load().baseline?.version == SemanticVersion(major: .init(small: 17), minor: .init(small: 11), patch: .init(small: 1)))
        for value in ["17.11.1", "v17.11", "V17.11.1", "v17.11.1+build", "v017.11.1", "", "latest"] {
            try scratch.write("[release]\n  baseline = \(value)\n", to: work + "/.release-guardian")
            #expect(throws: ConfigurationError.self, "\(value)") { try load() }
            do { _ = try load() } catch { #expect("\(error)".contains("a release tag name such as v1.4.2"), "\(error)") }
        }
    }

    /// A baseline excuses history from being judged again: a committed file may lower the
    /// server's (excuse less), never raise it or add one.
    @Test func aCommittedBaselineMayOnlyLowerTheServers() throws {
        func settings(_ baseline: String?) throws -> Settings {
            var values = RawValues()
            if let baseline { values.merge([Config.Entry(name: "release.baseline", value: baseline)], source: "test") }
            return try Settings(values)
        }
        var server = try settings("v2.0.0")
        server.tighten(with: try settings("v1.5.0"))
        #expect(server.baseline?.tag == "v1.5.0")
        server = try settings("v2.0.0")
        server.tighten(with: try settings("v3.0.0"))
        #expect(server.baseline?.tag == "v2.0.0")
        server = try settings(nil)
        server.tighten(with: try settings("v3.0.0"))
        #expect(server.baseline == nil)
        server = try settings("v2.0.0")
        server.tighten(with: try settings(nil))
        #expect(server.baseline == nil)

        #expect(try settings("v3.0.0").loosenings(comparedTo: settings("v2.0.0")) == ["release.baseline"])
        #expect(try settings("v3.0.0").loosenings(comparedTo: settings(nil)) == ["release.baseline"])
        #expect(try settings("v1.0.0").loosenings(comparedTo: settings("v2.0.0")).isEmpty)
        #expect(try settings(nil).loosenings(comparedTo: settings("v2.0.0")).isEmpty)
    }
}
