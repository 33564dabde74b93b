import Foundation

/// The CI service a pipeline runs on, read from the variables it sets.
public enum CIPlatform: String, Sendable {
    case github = "GitHub Actions"
    case gitlab = "GitLab CI"

    /// A short name for JSON: `github`, `gitlab`.
    public var id: String {
        switch self {
        case .github: "github"
        case .gitlab: "gitlab"
        }
    }

    public static func detect(_ environment: [String: String]) -> CIPlatform? {
        detect { environment[$0] }
    }

    /// The platform, reading the variables one by one (`getenv`: `env` runs at the start of
    /// every pipeline, and a dictionary of the whole environment costs more than its work).
    public static func detect(_ variable: (String) -> String?) -> CIPlatform? {
        if variable("GITHUB_ACTIONS") == "true" { return .github }
        if variable("GITLAB_CI") == "true" { return .gitlab }
        return nil
    }

    /// The ref the pipeline builds, as a full ref name.
    public func ref(in variable: (String) -> String?) -> String? {
        switch self {
        case .github:
            return variable("GITHUB_REF").flatMap { $0.isEmpty ? nil : $0 }
        case .gitlab:
            if let tag = variable("CI_COMMIT_TAG"), !tag.isEmpty { return RefName.tag(tag) }
            if let branch = variable("CI_COMMIT_BRANCH"), !branch.isEmpty { return RefName.branch(branch) }
            return nil
        }
    }

    /// The commit the pipeline builds (`GITHUB_SHA`, `CI_COMMIT_SHA`), when it names one.
    public func commit(in variable: (String) -> String?) -> String? {
        let value =
            switch self {
            case .github: variable("GITHUB_SHA")
            case .gitlab: variable("CI_COMMIT_SHA")
            }
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// How to make the CI clone complete, for the shallow-clone error.
    public var unshallowFix: String {
        switch self {
        case .github: "set `fetch-depth: 0` on actions/checkout (`with: { fetch-depth: 0 }`)"
        case .gitlab: "set the variable `GIT_DEPTH: 0` on the job (or in the project's CI/CD settings, Git shallow clone = 0)"
        }
    }
}

extension CIPlatform {
    /// Variables other CI services set (Jenkins, Buildkite, CircleCI, TeamCity, Azure Pipelines,
    /// Bitbucket, Drone): a pipeline there reads its policy from main as on the two above.
    static let otherServices = ["JENKINS_URL", "BUILDKITE", "CIRCLECI", "TEAMCITY_VERSION", "TF_BUILD", "BITBUCKET_BUILD_NUMBER", "DRONE"]

    /// Whether this process runs in a pipeline, where the checkout is the ref being judged.
    public static func isPipeline(_ environment: [String: String]) -> Bool {
        detect(environment) != nil || otherServices.contains { !(environment[$0] ?? "").isEmpty }
    }

    /// The repository's default branch as the platform knows it (GitLab's `CI_DEFAULT_BRANCH`,
    /// GitHub's event payload), nil when it does not say: where a pipeline reads its policy.
    public func defaultBranch(_ variable: (String) -> String?) -> String? {
        switch self {
        case .gitlab:
            return variable("CI_DEFAULT_BRANCH").flatMap { $0.isEmpty ? nil : $0 }
        case .github:
            guard let path = variable("GITHUB_EVENT_PATH"), let data = FileManager.default.contents(atPath: path),
                let event = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let repository = event["repository"] as? [String: Any], let branch = repository["default_branch"] as? String,
                !branch.isEmpty
            else { return nil }
            return branch
        }
    }
}
