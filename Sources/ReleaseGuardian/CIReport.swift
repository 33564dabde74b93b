import Foundation

/// What `ci` tells the job log, the GitHub step summary, and the CI's output files.
public enum CIReport {
    /// Plain text for the job log.
    public static func text(_ outcome: CICheck.Outcome) -> String {
        let deployment = outcome.deployment
        var lines: [String] = []
        let platform = outcome.platform?.rawValue ?? "generic CI"
        lines.append(
            "release-guardian ci (\(platform)): \(deployment.ref) → \(deployment.environment ?? "no environment")"
                + (deployment.version.map { " (" + (deployment.component.map { "component \($0), " } ?? "") + "version \($0))" } ?? ""))
        if let note = deployment.note { lines.append("  \(note)") }
        if outcome.deepened { lines.append("  deepened the shallow clone first (git fetch --unshallow --tags)") }
        lines.append("  checked: " + (outcome.checked.isEmpty ? "nothing" : outcome.checked.map(\.rawValue).joined(separator: ", ")))
        for reason in outcome.notChecked { lines.append("  not checked: \(reason)") }
        if let history = outcome.history {
            lines.append("  verdict: allowed (history: \(history.key) = \(history.tag))")
        } else if outcome.allowed {
            lines.append("  verdict: allowed")
        } else {
            lines.append("  verdict: refused (\(outcome.violations.count) violation\(outcome.violations.count == 1 ? "" : "s"))")
            for violation in outcome.violations {
                lines.append("  [\(violation.rule.rawValue)] \(violation.ref): \(violation.message)")
                lines.append("    fix: \(violation.fix)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `ci --json`: the outcome as one JSON object, with the deployment's fields (ref,
    /// environment, component, version, targets) at its top level beside the verdict.
    public struct Document: Encodable {
        public let outcome: CICheck.Outcome
        /// The files `ci` wrote the environment to.
        public let written: [String]

        public init(_ outcome: CICheck.Outcome, written: [String]) {
            self.outcome = outcome
            self.written = written
        }

        public func encode(to encoder: any Encoder) throws {
            enum Key: String, CodingKey { case allowed, platform, violations, checked, notChecked, deepened, written, history }
            try outcome.deployment.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(outcome.allowed, forKey: .allowed)
            try container.encode(outcome.platform?.id, forKey: .platform)
            try container.encode(outcome.violations, forKey: .violations)
            try container.encode(outcome.checked, forKey: .checked)
            try container.encode(outcome.notChecked, forKey: .notChecked)
            try container.encode(outcome.deepened, forKey: .deepened)
            try container.encode(written, forKey: .written)
            // The baseline under which the tag is history (not judged again), or null.
            try container.encode(outcome.history?.tag, forKey: .history)
        }
    }

    /// Markdown for `$GITHUB_STEP_SUMMARY`.
    public static func markdown(_ outcome: CICheck.Outcome) -> String {
        let deployment = outcome.deployment
        var lines = [
            "### release-guardian: \(outcome.allowed ? "✅ allowed" : "❌ refused")\(outcome.history.map { " (history: \($0.key) = \($0.tag))" } ?? "")",
            "",
            "| ref | environment | version |", "| --- | --- | --- |",
            "| `\(deployment.ref)` | \(deployment.environment ?? "—") | "
                + (deployment.version.map { v in deployment.component.map { "\(v) (\(Markdown.escaped($0)))" } ?? v } ?? "—") + " |", "",
            "**Checked:** " + (outcome.checked.isEmpty ? "nothing" : outcome.checked.map { "`\($0.rawValue)`" }.joined(separator: ", ")),
        ]
        for reason in outcome.notChecked { lines += ["", "**Not checked:** \(reason)"] }
        for violation in outcome.violations {
            lines += ["", "- **`\(violation.rule.rawValue)`** `\(violation.ref)`: \(violation.message)  ", "  Fix: \(violation.fix)"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Writes the environment where the CI reads it. Nothing is written for a refused ref, so a
/// deploy job cannot pick up an environment by mistake; the step summary is always written.
public enum CIPublisher {
    /// Returns the files written.
    public static func publish(
        _ outcome: CICheck.Outcome, environment: [String: String], directory: String
    ) throws(PublishError) -> [String] {
        var written: [String] = []
        if outcome.platform == .github, let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
            try append(CIReport.markdown(outcome), to: summary)
            written.append(summary)
        }
        guard outcome.allowed else { return written }
        switch outcome.platform {
        case .github:
            guard let output = environment["GITHUB_OUTPUT"], !output.isEmpty else { throw .missingVariable("GITHUB_OUTPUT") }
            try append(outcome.deployment.githubOutputs, to: output)
            written.append(output)
        case .gitlab:
            let project = environment["CI_PROJECT_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? directory
            let path = project + "/release-guardian.env"
            do {
                try outcome.deployment.dotenv.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw .io(path: path, detail: error.localizedDescription)
            }
            written.append(path)
        case nil:
            break
        }
        return written
    }

    /// Appends to a file, creating it if needed, as GitHub expects for its command files.
    public static func append(_ text: String, to path: String) throws(PublishError) {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw .io(path: path, detail: "cannot create it") }
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw .io(path: path, detail: error.localizedDescription)
        }
    }
}

public enum PublishError: Error, CustomStringConvertible {
    case missingVariable(String)
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case .missingVariable(let name): "$\(name) is not set; it is where the outputs go (GitHub Actions sets it in every step)"
        case .io(let path, let detail): "cannot write \(path): \(detail)"
        }
    }
}
