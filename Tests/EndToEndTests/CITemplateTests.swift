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
        ("ci/github/example-release-please.yml", "vendor.github-workflows"),
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

/// The tools venv's Python (ci/setup.sh), which has ruamel.yaml (check-jsonschema's).
private func python() throws -> String {
    let path = CITemplateTests.packageRoot + "/.build/tools/bin/python"
    try #require(FileManager.default.isExecutableFile(atPath: path), "the tools venv is missing: run ci/setup.sh")
    return path
}

/// Stands in for ci/build-release.sh (the release build takes minutes): it copies the binary
/// under test where the real one puts its build, prints the path, and logs a line per call.
private let buildStub = """
    #!/usr/bin/env bash
    set -euo pipefail
    cd "$(dirname "$0")/.."
    echo built >> "$BUILD_LOG"
    mkdir -p .build/release
    cp "$BINARY_UNDER_TEST" .build/release/release-guardian
    echo "$PWD/.build/release/release-guardian"

    """

/// ci/github/action.yml played step by step by ci/run-action.py from a copy of the action's
/// repository (its sources, the stand-in build), with actions/cache played by a directory.
struct GitHubActionTests {
    final class Action {
        let scratch: Scratch
        let root: String
        let cache: String
        let buildLog: String
        var runs = 0

        init(_ scratch: Scratch) throws {
            self.scratch = scratch
            root = scratch.root + "/release-guardian-action"
            cache = scratch.root + "/actions-cache"
            buildLog = scratch.root + "/build-log"
            let files = FileManager.default
            try files.createDirectory(atPath: root + "/ci/github", withIntermediateDirectories: true)
            try files.createDirectory(atPath: cache, withIntermediateDirectories: true)
            for path in ["ci/github/action.yml", "ci/release-guardian.exports", "Package.swift", "Sources"] {
                try files.copyItem(atPath: CITemplateTests.packageRoot + "/" + path, toPath: root + "/" + path)
            }
            try scratch.write(buildStub, to: root + "/ci/build-release.sh")
            try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/ci/build-release.sh")
        }

        var builds: Int {
            ((try? String(contentsOfFile: buildLog, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        /// One job running the action in `workspace`: a fresh runner temp directory, the cache kept.
        func run(
            in workspace: String, ref: String, inputs: [String: String] = [:], environment: [String: String] = [:]
        ) throws -> (result: ProcessResult, outputs: [String: String], ran: [String], cache: [String]) {
            runs += 1
            let temp = scratch.root + "/runner-temp-\(runs)"
            try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
            var arguments = [
                CITemplateTests.packageRoot + "/ci/run-action.py", root + "/ci/github/action.yml", "--cache", cache, "--temp", temp,
            ]
            for (name, value) in inputs.sorted(by: { $0.key < $1.key }) { arguments += ["--input", "\(name)=\(value)"] }
            let result = try scratch.run(
                try python(), arguments, in: workspace,
                extraEnvironment: [
                    "GITHUB_ACTIONS": "true", "GITHUB_REF": ref, "GITHUB_STEP_SUMMARY": temp + "/summary",
                    "BUILD_LOG": buildLog, "BINARY_UNDER_TEST": binary,
                ].merging(environment) { _, new in new })
            let document = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            return (
                result, document["outputs"] as? [String: String] ?? [:], document["ran"] as? [String] ?? [],
                document["cache"] as? [String] ?? []
            )
        }
    }

    /// origin with v1.0.0 and v1.1.0 on main, and a pipeline's full clone of it.
    func released() throws -> (GuardedClone, pipeline: String) {
        let clone = try GuardedClone(hook: .none)
        _ = try clone.commit("feature")
        try clone.tag("v1.1.0")
        _ = try clone.git("push", "-q", "--follow-tags", "origin", "main")
        let pipeline = clone.scratch.root + "/pipeline"
        try clone.scratch.git("clone", "-q", clone.origin, pipeline, in: clone.scratch.root)
        return (clone, pipeline)
    }

    @Test func buildsOnceThenStartsFromTheCacheKeyedOnItsSourcesAndLibgit2() throws {
        let (clone, pipeline) = try released()
        let action = try Action(clone.scratch)
        let tag = ["ref": "refs/tags/v1.1.0"]

        let cold = try action.run(in: pipeline, ref: "refs/heads/main", inputs: tag)
        #expect(cold.result.status == 0, "\(cold.result.stderr)")
        #expect(cold.cache == ["miss", "saved"])
        #expect(action.builds == 1)
        #expect(cold.outputs == ["environment": "prod", "version": "1.1.0", "component": ""])

        let warm = try action.run(in: pipeline, ref: "refs/heads/main", inputs: tag)
        #expect(warm.result.status == 0, "\(warm.result.stderr)")
        #expect(warm.cache == ["hit"])
        #expect(!warm.ran.contains("Build release-guardian"), "\(warm.ran)")
        #expect(action.builds == 1, "a warm job builds nothing")
        #expect(warm.outputs == ["environment": "prod", "version": "1.1.0", "component": ""])

        // Another libgit2 (another runner image): another key, one build.
        let bin = clone.scratch.root + "/other-libgit2"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try clone.scratch.write("#!/bin/sh\necho 1.9.9\n", to: bin + "/pkg-config")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/pkg-config")
        let path = bin + ":" + (clone.scratch.environment["PATH"] ?? "/usr/bin:/bin")
        #expect(try action.run(in: pipeline, ref: "refs/heads/main", inputs: tag, environment: ["PATH": path]).cache == ["miss", "saved"])
        #expect(action.builds == 2)

        // A change to the action's sources: another key, one build.
        let file = action.root + "/Sources/release-guardian/main.swift"
        try clone.scratch.write(try String(contentsOfFile: file, encoding: .utf8) + "// changed\n", to: file)
        #expect(try action.run(in: pipeline, ref: "refs/heads/main", inputs: tag).cache == ["miss", "saved"])
        #expect(action.builds == 3)
        #expect(try action.run(in: pipeline, ref: "refs/heads/main", inputs: tag).cache == ["hit"])
        #expect(action.builds == 3)
    }

    /// release-please tags in a run of main: the `ref` input is what is judged, not GITHUB_REF.
    @Test func judgesTheRefInputRatherThanTheRunsRef() throws {
        let (clone, _) = try released()
        _ = try clone.commit("skips")
        try clone.tag("v1.3.0")
        _ = try clone.git("push", "-q", "--follow-tags", "origin", "main")
        let pipeline = clone.scratch.root + "/pipeline-2"
        try clone.scratch.git("clone", "-q", clone.origin, pipeline, in: clone.scratch.root)
        let action = try Action(clone.scratch)

        let main = try action.run(in: pipeline, ref: "refs/heads/main")
        #expect(main.result.status == 0, "\(main.result.stderr)")
        #expect(main.outputs == ["environment": "preprod", "version": "", "component": ""])

        let refused = try action.run(in: pipeline, ref: "refs/heads/main", inputs: ["ref": "refs/tags/v1.3.0", "deploy": "true"])
        #expect(refused.result.status == 1)
        #expect(refused.result.stderr.contains("[tag-skip] refs/tags/v1.3.0"), "\(refused.result.stderr)")
        #expect(refused.outputs["environment"] == "")
        #expect(!refused.ran.contains("Deploy"))
    }

    /// `deploy: "true"` with a `ref`: the deploy step pushes that ref's commit, not main's.
    @Test func deploysTheRefInput() throws {
        let f = try DeployFixture()
        // In a pipeline the deploy targets come from main's committed policy.
        _ = try f.clone.git("add", ".release-guardian")
        _ = try f.clone.git("commit", "-q", "-m", "deploy targets")
        let v120 = try f.clone.commit("the next release")
        try f.clone.tag("v1.2.0")
        _ = try f.clone.git("push", "-q", "--follow-tags", "origin", "main")
        _ = try f.clone.commit("main moves on")
        _ = try f.clone.git("push", "-q", "origin", "main")
        let action = try Action(f.scratch)
        let run = try action.run(
            in: f.work, ref: "refs/heads/main",
            inputs: ["ref": "refs/tags/v1.2.0", "deploy": "true", "reason": "release v1.2.0"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.ran.contains("Deploy"), "\(run.ran)")
        #expect(try f.head() == v120)
    }
}

/// ci/gitlab/*.yml: each job's script (its `extends` resolved by ci/gitlab-job.py) run by bash
/// the way GitLab's runner runs it, with the template's build cache kept in the project directory.
struct GitLabTemplateTests {
    @Test func buildsOnceAndDeploysOnlyToTheJobsOwnEnvironment() throws {
        let f = try DeployFixture()
        _ = try f.clone.git("add", ".release-guardian")
        _ = try f.clone.git("commit", "-q", "-m", "deploy targets")
        let v120 = try f.clone.commit("the next release")
        try f.clone.tag("v1.2.0")
        _ = try f.clone.git("push", "-q", "--follow-tags", "origin", "main")
        let pipeline = f.scratch.root + "/pipeline"
        try f.scratch.git(
            "clone", "-q", "-c", "advice.detachedHead=false", "--branch", "v1.2.0", f.clone.origin, pipeline, in: f.scratch.root)
        // The release-guardian project the template clones, with the stand-in build.
        let tool = try f.scratch.repository("release-guardian-source")
        try FileManager.default.createDirectory(atPath: tool + "/ci", withIntermediateDirectories: true)
        try f.scratch.write(buildStub, to: tool + "/ci/build-release.sh")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool + "/ci/build-release.sh")
        _ = try f.scratch.git("add", ".", in: tool)
        _ = try f.scratch.commit("the tool", in: tool)
        let temp = f.scratch.root + "/tmp"
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        let buildLog = f.scratch.root + "/build-log"
        let origin = URL(fileURLWithPath: f.clone.origin)
        let project: [String: String] = [
            "GITLAB_CI": "true", "CI_COMMIT_TAG": "v1.2.0", "CI_COMMIT_REF_NAME": "v1.2.0", "CI_PROJECT_DIR": pipeline,
            "CI_SERVER_URL": "file://" + origin.deletingLastPathComponent().path,
            "CI_PROJECT_PATH": origin.deletingPathExtension().lastPathComponent, "CI_PIPELINE_ID": "7",
            "GITLAB_USER_LOGIN": "ops", "RELEASE_GUARDIAN_REPOSITORY": tool, "TMPDIR": temp, "BUILD_LOG": buildLog,
            "BINARY_UNDER_TEST": binary,
        ]
        func job(_ name: String, _ environment: [String: String] = [:]) throws -> ProcessResult {
            let script = try f.scratch.run(
                try python(),
                [
                    CITemplateTests.packageRoot + "/ci/gitlab-job.py", name,
                    CITemplateTests.packageRoot + "/ci/gitlab/release-guardian.yml",
                    CITemplateTests.packageRoot + "/ci/gitlab/example.gitlab-ci.yml",
                ], in: pipeline)
            #expect(script.status == 0, "\(script.stderr)")
            return try f.scratch.run(
                "/bin/bash", ["--noprofile", "--norc", "-c", script.stdout], in: pipeline,
                extraEnvironment: project.merging(environment) { _, new in new })
        }
        func builds() -> Int { ((try? String(contentsOfFile: buildLog, encoding: .utf8)) ?? "").split(separator: "\n").count }

        let guarded = try job("release-guardian")
        #expect(guarded.status == 0, "\(guarded.stdout)\(guarded.stderr)")
        #expect(
            try String(contentsOfFile: pipeline + "/release-guardian.env", encoding: .utf8)
                == "RELEASE_GUARDIAN_ENVIRONMENT=prod\nRELEASE_GUARDIAN_VERSION=1.2.0\nRELEASE_GUARDIAN_COMPONENT=\n")
        #expect(builds() == 1)
        #expect(try job("release-guardian").status == 0)
        #expect(builds() == 1, "the cached build is used while the source commit and libgit2 stay")

        let wrongJob = try job("deploy-preprod", ["RELEASE_GUARDIAN_ENVIRONMENT": "prod", "CI_ENVIRONMENT_NAME": "preprod"])
        #expect(wrongJob.status == 1)
        #expect(wrongJob.stderr.contains("maps v1.2.0 to prod, not to this job's preprod"), "\(wrongJob.stderr)")
        #expect(try f.head() == f.v110)

        let nowhere = try job("deploy-prod", ["RELEASE_GUARDIAN_ENVIRONMENT": "", "CI_ENVIRONMENT_NAME": "prod"])
        #expect(nowhere.status == 0 && nowhere.stdout.contains("deploys nowhere"), "\(nowhere.stdout)\(nowhere.stderr)")
        #expect(try f.head() == f.v110)

        let deployed = try job("deploy-prod", ["RELEASE_GUARDIAN_ENVIRONMENT": "prod", "CI_ENVIRONMENT_NAME": "prod"])
        #expect(deployed.status == 0, "\(deployed.stdout)\(deployed.stderr)")
        #expect(try f.head() == v120)
        #expect(FileManager.default.fileExists(atPath: pipeline + "/release-guardian-report.md"))

        // A new commit of the tool: built again.
        _ = try f.scratch.commit("a fix", in: tool)
        #expect(try job("release-guardian").status == 0)
        #expect(builds() == 2)

        // A commit that carries the cache's files (a binary and a matching stamp): never run.
        _ = try f.scratch.git("add", "-f", ".release-guardian-build", in: pipeline)
        _ = try f.scratch.commit("carry a binary", in: pipeline)
        let carried = try job("release-guardian")
        #expect(carried.status != 0 && carried.stderr.contains("is tracked in this commit"), "\(carried.stderr)")
        #expect(builds() == 2)
    }
}
