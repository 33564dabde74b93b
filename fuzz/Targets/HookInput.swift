// libFuzzer target: the hook input parsers, `RefUpdate.parsePrePush` (git's pre-push lines) and
// `ServerHook.parsePreReceive` (pre-receive lines).
//
// Neither crashes. What either accepts has one update per non-empty line, and every update says
// exactly what its line said: the ref as written, each object name as written (any case), all
// zeros as "none"; serialised back into the protocol it parses to the same updates. The ref
// check that runs without libgit2 agrees with `git_reference_name_is_valid`, except that it
// refuses DEL (0x7F) as git's check-ref-format does and libgit2 1.5 does not.
import Git
import GitFiles
@testable import ReleaseGuardian

private let zero = String(repeating: "0", count: 40)

private func hex(_ id: ObjectID?) -> String { id?.hex ?? zero }

/// The object name a field spells, as the parsed id prints it.
private func normalised(_ field: Substring) -> String {
    field.utf8.allSatisfy { $0 == UInt8(ascii: "0") } ? zero : field.lowercased()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func hookInputTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // Lines and fields cut on bytes, as git writes them ("\r\n" is one Character in Swift).
    let lines = input.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        .map { Substring($0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0) }
        .filter { !$0.isEmpty }
    func fieldsOf(_ line: Substring) -> [Substring] {
        line.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map { Substring($0) }
    }

    if let updates = try? RefUpdate.parsePrePush(input) {
        check(updates.count == lines.count, "pre-push: \(lines.count) lines gave \(updates.count) updates")
        for (line, update) in zip(lines, updates) {
            let fields = fieldsOf(line)
            check(fields.count == 4, "pre-push accepted \(line.debugDescription)")
            check(update.ref == String(fields[2]) && update.ref.hasPrefix("refs/"), "pre-push: ref of \(line.debugDescription)")
            check(
                hex(update.newID) == normalised(fields[1]) && hex(update.oldID) == normalised(fields[3]),
                "pre-push: object names of \(line.debugDescription)")
            check((fields[0] == "(delete)") == update.isDeletion, "pre-push: deletion of \(line.debugDescription)")
        }
        let serialised = updates.map { "\($0.isDeletion ? "(delete)" : "HEAD") \(hex($0.newID)) \($0.ref) \(hex($0.oldID))\n" }.joined()
        check((try? RefUpdate.parsePrePush(serialised)) == updates, "pre-push: \(serialised.debugDescription) does not parse back")
    }

    if let updates = try? ServerHook.parsePreReceive(input) {
        check(updates.count == lines.count, "pre-receive: \(lines.count) lines gave \(updates.count) updates")
        for (line, update) in zip(lines, updates) {
            let fields = fieldsOf(line)
            check(fields.count == 3, "pre-receive accepted \(line.debugDescription)")
            check(update.ref == String(fields[2]) && update.ref.hasPrefix("refs/"), "pre-receive: ref of \(line.debugDescription)")
            check(
                hex(update.oldID) == normalised(fields[0]) && hex(update.newID) == normalised(fields[1]),
                "pre-receive: object names of \(line.debugDescription)")
        }
        let serialised = updates.map { "\(hex($0.oldID)) \(hex($0.newID)) \($0.ref)\n" }.joined()
        check((try? ServerHook.parsePreReceive(serialised)) == updates, "pre-receive: \(serialised.debugDescription) does not parse back")
    }

    for line in lines {
        for field in fieldsOf(line) where field.hasPrefix("refs/") && !field.utf8.contains(0) {
            let name = String(field)
            let expected = Repository.libgit2IsValidReferenceName(name) && !field.utf8.contains(0x7F)
            check(
                RefNameFormat.isValid(name) == expected,
                "ref name check disagrees with libgit2 on \(name.debugDescription)")
        }
    }
    return 0
}
