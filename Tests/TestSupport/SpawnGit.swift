import Glibc

/// Runs git with posix_spawn and a pipe: Foundation's Process costs ten times git's own run, and
/// the differential tests run git thousands of times. Returns git's exit status and its stdout
/// (with stderr too when `mergingStderr`, else stderr is discarded).
public func spawnGit(_ arguments: [String], environment: [String: String], mergingStderr: Bool) -> (status: Int32, output: String) {
    var pipe: [Int32] = [0, 0]
    guard Glibc.pipe(&pipe) == 0 else { return (-1, "no pipe") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
    if mergingStderr {
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
    } else {
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    posix_spawn_file_actions_addclose(&actions, pipe[0])
    let argv = (["git"] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, "git", &actions, nil, argv, envp)
    close(pipe[1])
    defer { close(pipe[0]) }
    guard spawned == 0 else { return (-1, "cannot spawn git") }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(pipe[0], &buffer, buffer.count)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return ((status >> 8) & 0xFF, String(decoding: bytes, as: UTF8.self))
}
