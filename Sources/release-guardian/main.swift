import ArgumentParser  // for `main()` below; importing costs nothing at start-up, calling it does
import Foundation

// `check` is the pre-push hook: it runs on every push of every developer. Git's plain call is
// served before ArgumentParser, whose start-up (type metadata lookups) costs more than a whole
// check of a push of branches. The same for `semver valid` with thousands of arguments and the
// reference-transaction hook, which git runs twice for every ref written, and `env`, the first
// step of every pipeline. Everything else goes through ArgumentParser.
if let invocation = ReleaseGuardian.Check.plainInvocation(Array(CommandLine.arguments.dropFirst())) {
    exit(ReleaseGuardian.Check.check(remote: invocation.remote, json: invocation.json))
}
if let invocation = ReleaseGuardian.Semver.Valid.plainInvocation(Array(CommandLine.arguments.dropFirst())) {
    exit(ReleaseGuardian.Semver.Valid.validate(invocation.versions, json: invocation.json))
}
if let state = ReleaseGuardian.ServerHookCommand.ReferenceTransaction.plainInvocation(Array(CommandLine.arguments.dropFirst())) {
    exit(ReleaseGuardian.ServerHookCommand.ReferenceTransaction.transaction(state: state, json: false))
}
if let invocation = ReleaseGuardian.Env.plainInvocation(Array(CommandLine.arguments.dropFirst())) {
    exit(ReleaseGuardian.Env.env(invocation.ref, format: invocation.format))
}
// A mistyped command gets the nearest one (ArgumentParser would only say "unexpected argument").
if let unknown = CommandSuggestion.unknownCommand(in: Array(CommandLine.arguments.dropFirst()), root: ReleaseGuardian.self) {
    Terminal.error("release-guardian: error: " + unknown)
    exit(ExitCode.validationFailure.rawValue)
}
ReleaseGuardian.main()
