import Foundation
import Git
import ReleaseGuardian
import TestSupport
import Testing

/// The rollback's flow in the domain, as the CLI drives it: what it asks, what it prints where,
/// and when it stops. (RevertToTests drive the same through the binary and a terminal.)
struct RevertSessionTests {
    let scratch: Scratch
    let work: String
    let daemon: GitDaemon
    let v100: String
    let v110: String

    /// A clone and origin with v1.0.0 and v1.1.0 on main; prod, served by git daemon, runs v1.1.0.
    init() throws {
        LibGit2.ignoreUserAndSystemConfiguration()
        scratch = try Scratch()
        let origin = try scratch.bareRepository()
        work = try scratch.repository()
        try scratch.git("remote", "add", "origin", origin, in: work)
        v100 = try scratch.commit("first", in: work)
        try scratch.tag("v1.0.0", in: work)
        v110 = try scratch.commit("the feature that breaks prod", in: work)
        try scratch.tag("v1.1.0", in: work)
        try scratch.git("push", "-q", "origin", "main", "v1.0.0", "v1.1.0", in: work)
        daemon = try GitDaemon(basePath: scratch.root + "/srv", scratch: scratch)
        try scratch.git("init", "-q", "--bare", "-b", "master", daemon.basePath + "/prod.git", in: scratch.root)
        try scratch.git("push", "-q", daemon.basePath + "/prod.git", "\(v110):refs/heads/master", in: work)
        try scratch.write("[environment \"prod\"]\n    target = \(daemon.url("prod.git")) master\n", to: work + "/.release-guardian")
    }

    /// Everything the session printed, by stream.
    final class Printed {
        var results: [String] = []
        var documents: [RevertJSON] = []
        var log: [String] = []
    }

    func session(
        _ confirmation: RevertSession.Confirmation, json: Bool = false, printed: Printed,
        directory: String? = nil
    ) -> RevertSession {
        let output = RevertSession.Output(
            json: json, result: { printed.results.append($0) }, document: { printed.documents.append($0) },
            log: { printed.log.append($0) }, progress: nil)
        return RevertSession(
            request: RevertRequest(tag: "v1.0.0"), directory: directory ?? work, environment: scratch.environment,
            confirmation: confirmation, output: output)
    }

    func prod() throws -> String {
        try scratch.git("rev-parse", "refs/heads/master", in: daemon.basePath + "/prod.git")
    }

    @Test func withNoWayToConfirmRefusesBeforeReadingAnything() throws {
        let printed = Printed()
        #expect {
            _ = try session(.unavailable, printed: printed, directory: scratch.root + "/nowhere").run()
        } throws: { error in
            guard case RevertError.needsConfirmation = error else { return false }
            return (error as! RevertError).isRefusal
        }
        #expect(printed.results.isEmpty && printed.log.isEmpty)
        // A dry run needs no confirmation.
        var dryRun = session(.unavailable, printed: printed)
        dryRun.dryRun = true
        guard case .planned = try dryRun.run() else { throw Failure("not a dry run") }
        #expect(printed.results.last == "Dry run: nothing was changed.")
        #expect(try prod() == v110)
    }

    @Test func asksWithTheEnvironmentShowsThePlanFirstAndGoesAheadOnItsName() throws {
        let printed = Printed()
        var asked: [ConfirmationQuestion] = []
        let outcome = try session(
            .ask { question in
                asked.append(question)
                #expect(printed.results.first?.hasPrefix("Rollback plan: prod → v1.0.0") == true, "the plan comes before the question")
                return "  prod "
            }, printed: printed
        ).run()
        guard case .done(let done) = outcome else { throw Failure("\(outcome)") }
        #expect(asked.map(\.environment) == ["prod"])
        #expect(asked.first?.prompt == "5. Type the environment's name (prod) to go ahead: ")
        #expect(done.pushed == [daemon.url("prod.git") + " master"])
        #expect(try prod() == v100)
        // Steps 1 to 4 before the question, 6 to 9 after; the report last, on the results.
        for step in [1, 2, 3, 4, 6, 7, 8, 9] { #expect(printed.log.contains { $0.hasPrefix("\(step). ") }, "step \(step) silent") }
        #expect(printed.results.last?.hasPrefix("\n# Rollback report: prod → v1.0.0") == true)
        #expect(printed.documents.isEmpty)
    }

    @Test func anyOtherAnswerOrNoneChangesNothing() throws {
        for answer in ["yes", "", nil] as [String?] {
            let printed = Printed()
            #expect {
                _ = try session(.ask { _ in answer }, printed: printed).run()
            } throws: { error in
                guard case RevertError.notConfirmed(let needed) = error else { return false }
                return needed == "prod"
            }
            #expect(!printed.log.contains { $0.hasPrefix("6. ") })
            #expect(try prod() == v110)
        }
    }

    @Test func inJSONPrintsOneDocumentAndNoPlanText() throws {
        let printed = Printed()
        guard case .done = try session(.given, json: true, printed: printed).run() else { throw Failure("not done") }
        #expect(printed.results.isEmpty)
        #expect(printed.documents.count == 1)
        #expect(printed.log.contains("5. Confirmed by --yes."))
        // Run again: every target runs v1.0.0 now.
        let again = Printed()
        guard case .nothingToDo = try session(.given, json: true, printed: again).run() else { throw Failure("not a no-op") }
        #expect(again.documents.count == 1)
        #expect(again.log.contains("Every target already runs v1.0.0: nothing to do."))
    }

    @Test func aReportThatCannotBeWrittenIsAFailureAfterTheRollback() throws {
        let printed = Printed()
        var session = session(.given, printed: printed)
        session.reportFile = scratch.root + "/no/such/directory/report.md"
        #expect {
            _ = try session.run()
        } throws: { error in
            guard case RevertError.reportNotWritten(let path, _) = error else { return false }
            return path == scratch.root + "/no/such/directory/report.md" && !(error as! RevertError).isRefusal
                && "\(error)".hasPrefix("it is done (see the steps above), but the report could not be written to ")
        }
        #expect(try prod() == v100)
        #expect(printed.results.last?.contains("# Rollback report") == true)
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
