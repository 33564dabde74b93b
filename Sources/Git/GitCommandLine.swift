import Foundation

/// The few operations libgit2 1.5 cannot do, delegated to the `git` program.
public enum GitCommandLine {
    public struct Failure: Error, CustomStringConvertible {
        public let command: String
        public let output: String
        public var description: String { "`\(command)` failed: \(output)" }
    }

    /// Completes a shallow clone: all of history, every tag, and every branch of `remote` as
    /// remote-tracking branches (libgit2 1.5 cannot deepen a shallow repository).
    public static func unshallow(repository directory: String, remote: String) throws(Failure) {
        _ = try run(["fetch", "--quiet", "--unshallow", "--tags", remote, "+refs/heads/*:refs/remotes/\(remote)/*"], in: directory)
    }

    /// The entries of a git-config file stored as a blob (`<commit>:<path>`), parsed by git
    /// itself: libgit2 1.5 parses config from files only, and a temporary file would make every
    /// server push depend on a writable TMPDIR. A syntax error throws with git's message, which
    /// names the line.
    public static func configEntries(blob: String, gitDirectory: String) throws(Failure) -> [Config.Entry] {
        try configEntries(["--git-dir=\(gitDirectory)", "config", "--blob=\(blob)", "--list", "-z"], in: gitDirectory)
    }

    /// The entries of a git-config file, parsed by git itself (`git config -f FILE --list`):
    /// libgit2 1.5 accepts some files git refuses (an unterminated quote), and the same file must
    /// mean the same to this tool and to git.
    public static func configEntries(file: String) throws(Failure) -> [Config.Entry] {
        let directory = file.hasPrefix("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
        return try configEntries(["config", "--file=\(file)", "--list", "-z"], in: directory.isEmpty ? "/" : directory)
    }

    /// Sets `key` to `value` in the git-config file `file` (created if missing), as
    /// `git config --file` does: the other keys, comments and layout stay as they are.
    public static func setConfig(file: String, key: String, value: String) throws(Failure) {
        let directory = file.hasPrefix("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
        _ = try run(["config", "--file=\(file)", key, value], in: directory.isEmpty ? "/" : directory)
    }

    private static func configEntries(_ arguments: [String], in directory: String) throws(Failure) -> [Config.Entry] {
        let output = try run(arguments, in: directory, merged: false)
        // `-z`: each entry is `name LF value NUL`, or `name NUL` for a key without `=` (true).
        return output.split(separator: "\0").map { record in
            guard let newline = record.firstIndex(of: "\n") else { return Config.Entry(name: String(record), value: "", isBareKey: true) }
            return Config.Entry(name: String(record[..<newline]), value: String(record[record.index(after: newline)...]))
        }
    }

    /// Runs `git arguments` in `directory`, without a terminal or stdin; returns stdout (stdout
    /// and stderr when `merged`), throws with stderr when git fails. posix_spawn and waitpid
    /// rather than Foundation's Process, whose run-loop wait adds tens of milliseconds: the
    /// server hook runs this for every push that touches main.
    private static func run(_ arguments: [String], in directory: String, merged: Bool = true) throws(Failure) -> String {
        let command = "git " + arguments.joined(separator: " ")
        var output: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        guard pipe(&output) == 0, pipe(&errors) == 0 else {
            throw Failure(command: command, output: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, merged ? output[1] : errors[1], 2)
        for descriptor in output + errors { posix_spawn_file_actions_addclose(&actions, descriptor) }
        let argv = (["git", "-C", directory] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "git", &actions, nil, argv, environ)
        close(output[1])
        close(errors[1])
        defer {
            close(output[0])
            close(errors[0])
        }
        guard spawned == 0 else {
            throw Failure(command: command, output: "cannot run git: \(String(cString: strerror(spawned)))")
        }
        // stdout first, then stderr: the commands run apart write a line or two of errors, far
        // below a pipe's buffer, so git cannot block on a full stderr meanwhile.
        let text = readAll(output[0])
        let errorText = merged ? "" : readAll(errors[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = status & 0x7f == 0
        guard exited && (status >> 8) & 0xff == 0 else {
            let message = merged ? text : errorText
            throw Failure(command: command, output: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return text
    }

    private static func readAll(_ descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count > 0 {
                bytes += buffer[0..<count]
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
