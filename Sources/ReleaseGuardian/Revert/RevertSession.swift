import Foundation
import Git

/// One `deploy`, `revert-to` or `undo`, from the request to the report: plan (steps 1–4), show
/// the plan, stop for a dry run or when every target already runs the commit, confirm (5), read
/// the targets again and execute (6–9), report. The three share every step but the plan's. The CLI gives it the request, a way to confirm and where output goes,
/// and turns what it throws into an exit code (`RevertError.isRefusal`: 1, else 2).
public struct RevertSession {
    /// How the operator confirms.
    public enum Confirmation {
        /// `--yes`: confirmed beforehand.
        case given
        /// On a terminal: `ask` shows the question and returns the line typed (nil: none).
        case ask(_ ask: (ConfirmationQuestion) -> String?)
        /// Neither: only a dry run may go on.
        case unavailable
    }

    /// Where output goes: results on stdout, steps on stderr.
    public struct Output {
        /// `--json`: one JSON document instead of the plan and the Markdown report.
        public var json: Bool
        /// A result for stdout: the plan, the report.
        public var result: (String) -> Void
        /// The JSON document, for stdout.
        public var document: (RevertJSON) -> Void
        /// A step or a note, for stderr.
        public var log: (String) -> Void
        /// Short progress lines of network operations (a terminal wants them, a log does not).
        public var progress: (@Sendable (String) -> Void)?

        public init(
            json: Bool, result: @escaping (String) -> Void, document: @escaping (RevertJSON) -> Void,
            log: @escaping (String) -> Void, progress: (@Sendable (String) -> Void)?
        ) {
            self.json = json
            self.result = result
            self.document = document
            self.log = log
            self.progress = progress
        }
    }

    /// How a session ended without an error.
    public enum Outcome {
        /// `--dry-run`: the plan, nothing changed.
        case planned(RevertPlan)
        /// Every target already ran the tag's commit.
        case nothingToDo(RevertPlan)
        case done(RevertOutcome)
    }

    public let request: RevertRequest
    /// The directory the repository is discovered from.
    public let directory: String
    public var dryRun = false
    /// Also write the Markdown report to this file.
    public var reportFile: String?
    /// The process environment, for the transport's credentials.
    public var environment: [String: String]
    let confirmation: Confirmation
    let output: Output

    public init(request: RevertRequest, directory: String, environment: [String: String], confirmation: Confirmation, output: Output) {
        self.request = request
        self.directory = directory
        self.environment = environment
        self.confirmation = confirmation
        self.output = output
    }

    public func run() throws(RevertError) -> Outcome {
        if case .unavailable = confirmation, !dryRun { throw .needsConfirmation }
        let repository: Repository
        do { repository = try Repository.discover(from: directory) } catch { throw .repository(error) }
        // In a pipeline the checkout is the ref being deployed, written by whoever pushed it: its
        // targets and before/after commands would run with the deploy key. The policy is main's.
        let settings: Settings
        do {
            settings = try Settings.load(
                for: repository, reader: RepositoryReader(repository), remote: request.sourceRemote, environment: environment)
        } catch {
            throw .configuration(error)
        }
        let transport = TransportPolicy(settings: settings, environment: environment).options(progress: output.progress)

        let plan = try RevertPlanner(
            repository: repository, settings: settings, transport: transport, environment: environment, log: output.log
        ).plan(request)
        if !output.json { output.result(RevertReport.planText(plan)) }
        if dryRun {
            if output.json { output.document(RevertJSON(plan: plan, outcome: nil)) } else { output.result("Dry run: nothing was changed.") }
            return .planned(plan)
        }
        let executor = RevertExecutor(repository: repository, transport: transport, environment: environment, log: output.log)
        if plan.isNoOp {
            // A run that was interrupted here is settled by this one, which read the targets.
            executor.settleInterrupted(plan)
            if output.json { output.document(RevertJSON(plan: plan, outcome: nil)) }
            output.log("Every target already runs \(plan.label): nothing to do.")
            return .nothingToDo(plan)
        }
        switch confirmation {
        case .given:
            output.log("5. Confirmed by --yes.")
        case .ask(let ask):
            let answer = ask(ConfirmationQuestion(environment: plan.environment))?.trimmingCharacters(in: .whitespaces)
            guard answer == plan.environment else { throw .notConfirmed(needed: plan.environment) }
        case .unavailable:
            throw .needsConfirmation
        }
        // Nothing is written before the operator confirmed: not even the settling of an earlier run.
        executor.settleInterrupted(plan)
        try executor.recheck(plan)
        // A failure's report goes to the file too: what changed, what did not, what the target said.
        let outcome = try executor.execute(plan) { failed in try? writeReport(RevertReport.markdown(failed)) }

        let markdown = RevertReport.markdown(outcome)
        if output.json { output.document(RevertJSON(plan: plan, outcome: outcome)) } else { output.result("\n" + markdown) }
        do {
            try writeReport(markdown)
        } catch {
            throw .reportNotWritten(path: reportFile ?? "", detail: error.localizedDescription)
        }
        if outcome.verificationFailed {
            throw .verificationFailed(
                environment: plan.environment, failed: outcome.commands.filter { $0.phase == "after" && !$0.succeeded }.map(\.command))
        }
        return .done(outcome)
    }

    private func writeReport(_ markdown: String) throws {
        try reportFile.map { try markdown.write(toFile: $0, atomically: true, encoding: .utf8) }
        // In GitHub Actions, the job's summary page shows it too.
        if CIPlatform.detect(environment) == .github, let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty,
            let handle = FileHandle(forWritingAtPath: summary)
        {
            defer { try? handle.close() }
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data((markdown + "\n").utf8))
        }
    }
}

/// Step 5's question: type the environment's name to go ahead.
public struct ConfirmationQuestion: Sendable {
    public let environment: String

    /// What the terminal shows; the answer follows on the same line.
    public var prompt: String { "5. Type the environment's name (\(environment)) to go ahead: " }
}
