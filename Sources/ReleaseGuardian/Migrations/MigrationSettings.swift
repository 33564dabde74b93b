import Foundation
import Git

/// The tool whose migration files a rollback must mind.
public enum MigrationTool: String, CaseIterable, Equatable, Sendable {
    /// Revision files with `revision` / `down_revision`; brought back with `alembic downgrade`.
    case alembic
    /// Each app's `migrations/` package; brought back with `python manage.py migrate APP NAME`.
    case django
    /// Any files: the ones a rollback leaves behind are listed, nothing more.
    case files

    /// Where its migration files live when `migrations.path` is not given; nil for `files`,
    /// which must name its paths.
    var defaultPaths: [String]? {
        switch self {
        case .alembic: ["alembic/versions/*.py"]
        case .django: ["*/migrations/0*.py"]
        case .files: nil
        }
    }
}

/// `[migrations]`: which tool, and where its files are in a commit's tree.
///
/// ```
/// [migrations]
///     tool = django
///     path = */migrations/0*.py
///     path = vendor/*/migrations/0*.py
/// ```
public struct MigrationSettings: Equatable, Sendable {
    public let tool: MigrationTool
    /// Globs on tree paths (`PathGlob`: `*` stays within one component, `**` crosses them).
    public let paths: [PathGlob]

    /// The globs as written, for people to read (the CLI cannot reach `PathGlob`'s members).
    public var pathPatterns: [String] { paths.map(\.pattern) }

    public init(tool: MigrationTool, paths: [PathGlob]? = nil) {
        self.tool = tool
        self.paths = paths ?? (tool.defaultPaths ?? []).compactMap(PathGlob.init)
    }

    /// The section as configured, nil when it is absent. Both readers of the settings (the
    /// plain one and git's) come through here with the same values, so they accept and refuse
    /// the same files.
    static func configured(in values: RawValues) throws(ConfigurationError) -> MigrationSettings? {
        let toolEntry = values.last("migrations.tool")
        let pathEntries = values.all("migrations.path")
        guard toolEntry != nil || !pathEntries.isEmpty else { return nil }
        let expectedTool = MigrationTool.allCases.map(\.rawValue).joined(separator: ", ")
        guard let toolEntry else {
            throw .invalidValue(
                key: "migrations.tool", value: "", source: pathEntries[0].source, expected: "a tool (\(expectedTool)) for migrations.path")
        }
        guard !toolEntry.isBareKey, let tool = MigrationTool(rawValue: toolEntry.value.trimmingCharacters(in: .whitespaces).lowercased())
        else {
            throw .invalidValue(
                key: "migrations.tool", value: toolEntry.value, source: toolEntry.source, expected: "one of \(expectedTool)")
        }
        var paths: [PathGlob] = []
        for entry in pathEntries {
            guard !entry.isBareKey, let glob = PathGlob(entry.value.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidValue(
                    key: "migrations.path", value: entry.value, source: entry.source,
                    expected: "a glob on paths from the repository's root, such as alembic/versions/*.py (no leading /, no . or .. parts)")
            }
            paths.append(glob)
        }
        if paths.isEmpty && tool.defaultPaths == nil {
            throw .invalidValue(
                key: "migrations.path", value: "", source: toolEntry.source,
                expected: "at least one glob with tool = \(tool.rawValue), such as db/migrations/*.sql")
        }
        return MigrationSettings(tool: tool, paths: paths.isEmpty ? nil : paths)
    }
}
