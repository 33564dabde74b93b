// libFuzzer target: `ConfigFile.parse`, the strict git-config reader the hook uses to start
// without libgit2 (Sources/GitFiles/ConfigFile.swift).
//
// It never crashes, and where it answers it must be right: the same entries, in the same order,
// as libgit2 reads from the file (the full path it stands in for), and as `git config -f FILE
// --list` prints (the tool users check with). A key without `=` counts as the empty value, as
// both the quick and the full path read it.
import Foundation
import Git
import GitFiles
@testable import ReleaseGuardian

private let file = NSTemporaryDirectory() + "/release-guardian-fuzz-config-\(getpid())"
private let askGit = ProcessInfo.processInfo.environment["FUZZ_CONFIG_GIT"] != "0"

@_cdecl("LLVMFuzzerInitialize")
public func configInitialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    atexit {
        unlink(file)
        unlink(file + ".stderr")
    }
    return 0
}

/// `git config -f FILE --list -z`, run with posix_spawn (Foundation's Process is slow here, and
/// LeakSanitizer flags its bookkeeping).
private func entriesFromGit() -> Result<[Config.Entry], GitRefused> {
    var pipe: [Int32] = [0, 0]
    check(Glibc.pipe(&pipe) == 0, "pipe failed")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
    posix_spawn_file_actions_addclose(&actions, pipe[0])
    posix_spawn_file_actions_addopen(&actions, 2, file + ".stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let arguments = ["git", "config", "--no-includes", "-f", file, "--list", "-z"]
    let environment = [
        "PATH=" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM=1", "HOME=/nonexistent",
    ]
    var argv = arguments.map { strdup($0) } + [nil]
    var envp = environment.map { strdup($0) } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, "git", &actions, nil, &argv, &envp)
    close(pipe[1])
    check(spawned == 0, "cannot run git: \(spawned)")
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(pipe[0], &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        output += buffer[..<count]
    }
    close(pipe[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    guard status == 0 else {
        return .failure(GitRefused(status: status, stderr: (try? String(contentsOfFile: file + ".stderr", encoding: .utf8)) ?? ""))
    }
    // -z: `name LF value NUL`, or `name NUL` for a key without a value.
    return .success(
        output.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { record in
            let text = String(decoding: record, as: UTF8.self)
            guard let newline = text.firstIndex(of: "\n") else { return Config.Entry(name: text, value: "", isBareKey: true) }
            return Config.Entry(name: String(text[..<newline]), value: String(text[text.index(after: newline)...]))
        })
}

private struct GitRefused: Error {
    let status: Int32
    let stderr: String
}

@_cdecl("LLVMFuzzerTestOneInput")
public func configTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard case .known(let entries) = ConfigFile.parse(text) else { return 0 }
    check(ConfigFile.parse(text) == .known(entries), "parse is not deterministic")
    for entry in entries {
        check(
            !entry.section.isEmpty && entry.section == entry.section.lowercased() && !entry.section.contains("."),
            "section \(entry.section.debugDescription)")
        check(!entry.key.isEmpty && entry.key == entry.key.lowercased(), "key \(entry.key.debugDescription)")
    }
    let plain = entries.map { Config.Entry(name: $0.name, value: $0.value ?? "", isBareKey: $0.value == nil) }

    check(FileManager.default.createFile(atPath: file, contents: Data(text.utf8)), "cannot write \(file)")
    let fromLibGit2: [Config.Entry]
    do { fromLibGit2 = try Config.open(file: file).entries() } catch {
        check(false, "ConfigFile read a file libgit2 refuses (\(error)): \(text.debugDescription)")
        return 0
    }
    check(plain == fromLibGit2, "ConfigFile read \(plain) where libgit2 reads \(fromLibGit2) in \(text.debugDescription)")
    if askGit {
        let fromGit: [Config.Entry]
        switch entriesFromGit() {
        case .success(let entries): fromGit = entries
        case .failure(let refused):
            check(
                false, "ConfigFile read a file git config refuses (status \(refused.status): \(refused.stderr)): \(text.debugDescription)")
            return 0
        }
        check(plain == fromGit, "ConfigFile read \(plain) where git config reads \(fromGit) in \(text.debugDescription)")
    }
    return 0
}
