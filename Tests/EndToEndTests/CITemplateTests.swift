import Foundation
import TestSupport
import Testing

/// The CI templates in `ci/` against the official schemas, through check-jsonschema
/// (installed into .build/tools by ci/setup.sh).
struct CITemplateTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static let validator: String? = {
        let local = packageRoot + "/.build/tools/bin/check-jsonschema"
        if FileManager.default.isExecutableFile(atPath: local) { return local }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = String(directory) + "/check-jsonschema"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    func validate(_ file: String, against schema: String) throws -> ProcessResult {
        let scratch = try Scratch()  // first: it isolates the process before PATH is read below
        let validator = try #require(Self.validator, "check-jsonschema is not installed: run ci/setup.sh")
        return try scratch.run(validator, ["--builtin-schema", schema, file], in: Self.packageRoot)
    }

    @Test(arguments: [
        ("ci/github/action.yml", "vendor.github-actions"),
        ("ci/github/example-workflow.yml", "vendor.github-workflows"),
        ("ci/gitlab/release-guardian.yml", "vendor.gitlab-ci"),
        ("ci/gitlab/example.gitlab-ci.yml", "vendor.gitlab-ci"),
    ])
    func templatesAreValidAgainstTheOfficialSchemas(_ file: String, _ schema: String) throws {
        let result = try validate(file, against: schema)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func theValidatorRejectsABrokenAction() throws {
        let scratch = try Scratch()
        let broken = scratch.root + "/action.yml"
        let action = try String(contentsOfFile: Self.packageRoot + "/ci/github/action.yml", encoding: .utf8)
        try scratch.write(action.replacingOccurrences(of: "using: composite", with: "using: nonsense"), to: broken)
        let result = try validate(broken, against: "vendor.github-actions")
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("nonsense"), "rejected for another reason: \(result.stdout)\(result.stderr)")
    }
}
