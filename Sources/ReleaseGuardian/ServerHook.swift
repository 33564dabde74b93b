import Git

/// The server side: the same rules, applied by the repository that receives the push, where
/// "main after the push" is the pushed value or the server's own main.
public struct ServerHook {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Parses `pre-receive` input: `<old> SP <new> SP <ref>` per line (githooks(5)).
    public static func parsePreReceive(_ input: String) throws(HookInputError) -> [RefUpdate] {
        var updates: [RefUpdate] = []
        for (index, line) in RefUpdate.hookLines(input).enumerated() {
            if line.isEmpty { continue }
            let fields = RefUpdate.hookFields(line)
            let malformed = { (reason: String) in
                HookInputError.malformedLine(number: index + 1, line: String(line.prefix(200)), reason: reason, expected: "<old object> <new object> <ref>")
            }
            guard fields.count == 3, fields.allSatisfy({ !$0.isEmpty }) else {
                throw malformed("expected 3 fields separated by single spaces, found \(fields.count)")
            }
            updates.append(try update(old: fields[0], new: fields[1], ref: fields[2], malformed))
        }
        return updates
    }

    /// The arguments of the `update` hook: `REF OLD NEW`.
    public static func parseUpdate(ref: String, old: String, new: String) throws(HookInputError) -> RefUpdate {
        let malformed = { (reason: String) in
            HookInputError.malformedLine(number: 1, line: "\(ref) \(old) \(new)", reason: reason, expected: "REF OLD NEW")
        }
        return try update(old: Substring(old), new: Substring(new), ref: Substring(ref), malformed)
    }

    private static func update(old: Substring, new: Substring, ref: Substring,
                               _ malformed: (String) -> HookInputError) throws(HookInputError) -> RefUpdate {
        RefUpdate(ref: try RefUpdate.refName(ref, malformed), oldID: try RefUpdate.objectName(old, malformed),
                  newID: try RefUpdate.objectName(new, malformed))
    }

    /// Applies the policy to updates the server is receiving. The repository is opened as git
    /// describes it to hooks, so objects still in the push's quarantine are visible.
    public func run(_ updates: [RefUpdate]) throws(CheckError) -> PushCheck.Verdict {
        if updates.isEmpty { return PushCheck.Verdict(violations: []) }
        let repository: Repository
        do { repository = try Repository.openFromEnvironment(fallback: directory) } catch { throw .repository(error) }
        let settings: Settings
        do { settings = try Settings.load(for: repository) } catch { throw .configuration(error) }
        do {
            let violations = try Policy(settings: settings).evaluate(updates, in: repository, vantage: .server)
            return PushCheck.Verdict(violations: violations)
        } catch {
            throw .policy(error)
        }
    }
}
