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
}
