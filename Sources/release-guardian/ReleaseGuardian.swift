import ArgumentParser

struct ReleaseGuardian: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release-guardian",
        abstract: "Guards release tags, maps refs to environments and rolls back safely.",
        discussion: """
            Exit codes: 0 done or allowed; 1 refused by a rule or a safeguard, nothing changed;
            2 could not run (git, I/O, bad repository or input); 64 usage error.
            """,
        version: "0.1.0",
        subcommands: [
            Check.self, ServerHookCommand.self, Semver.self, Env.self, CI.self, Deploy.self, RevertTo.self, Undo.self, StatusCommand.self,
            HistoryCommand.self,
            Install.self, AuditCommand.self,
        ]
    )
}

/// Flags every command that reports shares.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document on stdout instead of text.")
    var json = false
}
