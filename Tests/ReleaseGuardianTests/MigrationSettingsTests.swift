import Foundation
import Git
import TestSupport
import Testing
@testable import ReleaseGuardian

/// `[migrations]` read the same way by the plain reader and by git's, and refused the same way.
struct MigrationSettingsTests {
    let scratch: Scratch
    let work: String

    init() throws {
        let world = try ReleaseWorld(.empty)
        scratch = world.scratch
        work = world.work
    }

    var file: String { work + "/.release-guardian" }

    /// The fast path's settings; nil when it steps aside.
    func quick() throws -> Settings? {
        let environment = scratch.environment
        guard let layout = RepositoryLayout.find(from: work, environment: { environment[$0] }) else { return nil }
        return try PlainSettings.read(layout: layout, environment: { environment[$0] }).value
    }

    func full() throws -> Settings {
        try Settings.load(for: Repository.open(at: work))
    }

    /// Both readers, which must agree; the plain one must not step aside on these files.
    func both(_ text: String) throws -> MigrationSettings? {
        try scratch.write(text, to: file)
        let plain = try #require(try quick(), "the plain reader stepped aside: \(text)")
        let git = try full()
        #expect(plain == git, "\(text)")
        return git.migrations
    }

    @Test func readsTheSectionOnBothPaths() throws {
        #expect(try both("[release]\n    main = main\n") == nil)
        #expect(
            try both("[migrations]\n    tool = alembic\n") == MigrationSettings(tool: .alembic, paths: [PathGlob("alembic/versions/*.py")!])
        )
        #expect(try both("[migrations]\n    tool = django\n")?.paths.map(\.pattern) == ["*/migrations/0*.py"])
        let paths = try both("[Migrations]\n    Tool = Django\n    path = */migrations/0*.py\n    path = vendor/*/migrations/0*.py\n")
        #expect(
            paths == MigrationSettings(tool: .django, paths: [PathGlob("*/migrations/0*.py")!, PathGlob("vendor/*/migrations/0*.py")!]))
        #expect(
            try both("[migrations]\n    tool = files\n    path = db/migrations/*.sql\n")?.paths.map(\.pattern) == ["db/migrations/*.sql"])
    }

    /// The repository's git config overrides the file key by key; its paths replace the file's.
    @Test func takesTheRepositorysGitConfigOverTheFile() throws {
        try scratch.git("config", "release-guardian.migrations.tool", "files", in: work)
        try scratch.git("config", "--add", "release-guardian.migrations.path", "sql/*.sql", in: work)
        let settings = try both("[migrations]\n    tool = alembic\n    path = db/versions/*.py\n")
        #expect(settings == MigrationSettings(tool: .files, paths: [PathGlob("sql/*.sql")!]))
    }

    /// An invalid value is one error naming the key and the file, the same on both paths.
    @Test func refusesInvalidValuesNamingKeyAndFile() throws {
        for (text, key) in [
            ("[migrations]\n    tool = flyway\n", "migrations.tool"),
            ("[migrations]\n    tool\n", "migrations.tool"),
            ("[migrations]\n    path = alembic/versions/*.py\n", "migrations.tool"),
            ("[migrations]\n    tool = files\n", "migrations.path"),
            ("[migrations]\n    tool = alembic\n    path = /alembic/versions/*.py\n", "migrations.path"),
            ("[migrations]\n    tool = django\n    path = */migrations/../0*.py\n", "migrations.path"),
            ("[migrations]\n    tool = django\n    path =\n", "migrations.path"),
        ] {
            try scratch.write(text, to: file)
            let git = #expect(throws: ConfigurationError.self, "\(text)") { try self.full() }
            let plain = #expect(throws: ConfigurationError.self, "\(text)") { try self.quick() }
            #expect(plain == git, "\(text)")
            guard case .invalidValue(let named, _, let source, _)? = git else {
                Issue.record("not an invalid value: \(String(describing: git))")
                continue
            }
            #expect(named == key, "\(text)")
            #expect(source == file, "\(text)")
            #expect(git.map { "\($0)" }?.contains(file) == true)
        }
    }
}
