import Git
import Testing
@testable import ReleaseGuardian

struct RefUpdateParsingTests {
    let a = String(repeating: "a", count: 40)
    let b = String(repeating: "b", count: 40)
    let zero = String(repeating: "0", count: 40)
    let zero64 = String(repeating: "0", count: 64)

    @Test func readsEveryLineOfThePrePushProtocol() throws {
        let input = """
            refs/heads/main \(a) refs/heads/main \(b)
            refs/tags/v1.0.0 \(b) refs/tags/v1.0.0 \(zero)
            (delete) \(zero) refs/tags/old \(a)
            HEAD \(a) refs/heads/feature \(zero64)

            """
        let updates = try RefUpdate.parsePrePush(input)
        #expect(
            updates == [
                RefUpdate(ref: "refs/heads/main", oldID: ObjectID(hex: b), newID: ObjectID(hex: a)),
                RefUpdate(ref: "refs/tags/v1.0.0", oldID: nil, newID: ObjectID(hex: b)),
                RefUpdate(ref: "refs/tags/old", oldID: ObjectID(hex: a), newID: nil),
                RefUpdate(ref: "refs/heads/feature", oldID: nil, newID: ObjectID(hex: a)),
            ])
        #expect(updates[2].isDeletion)
        #expect(updates[1].isCreation)
    }

    @Test func allowsEmptyInput() throws {
        #expect(try RefUpdate.parsePrePush("").isEmpty)
        #expect(try RefUpdate.parsePrePush("\n").isEmpty)
    }

    @Test(arguments: [
        ("refs/heads/main \(String(repeating: "a", count: 40)) refs/heads/main", 1),
        ("refs/heads/main  \(String(repeating: "a", count: 40)) refs/heads/main \(String(repeating: "0", count: 40))", 1),
        ("refs/heads/main xyz refs/heads/main \(String(repeating: "0", count: 40))", 1),
        ("refs/heads/main \(String(repeating: "a", count: 40)) main \(String(repeating: "0", count: 40))", 1),
        ("refs/heads/main \(String(repeating: "a", count: 40)) refs/heads/ma..in \(String(repeating: "0", count: 40))", 1),
        ("(delete) \(String(repeating: "a", count: 40)) refs/heads/x \(String(repeating: "0", count: 40))", 1),
        ("refs/heads/x \(String(repeating: "0", count: 40)) refs/heads/x \(String(repeating: "a", count: 40))", 1),
        ("refs/heads/x \(String(repeating: "a", count: 64)) refs/heads/x \(String(repeating: "0", count: 40))", 1),
    ])
    func refusesAMalformedLineSayingWhichOne(_ line: String, _ number: Int) {
        let input = "\n" + line + "\n"
        do {
            _ = try RefUpdate.parsePrePush(input)
            Issue.record("accepted a malformed line: \(line)")
        } catch {
            guard case .malformedLine(let reported, _, _, _) = error else {
                Issue.record("wrong error")
                return
            }
            #expect(reported == number + 1)
        }
    }
}

/// Hook input split on bytes: `\r\n` is one Character to Swift, and must still end a line.
struct HookInputBytesTests {
    let a = String(repeating: "a", count: 40)
    let b = String(repeating: "b", count: 40)
    let zero = String(repeating: "0", count: 40)

    @Test func splitsCRLFPrePushInputIntoItsLines() throws {
        let input = "refs/heads/x \(a) refs/heads/x \(zero)\r\nrefs/tags/v9.9.9 \(b) refs/tags/v9.9.9 \(zero)\r\n"
        let updates = try RefUpdate.parsePrePush(input)
        #expect(updates.map(\.ref) == ["refs/heads/x", "refs/tags/v9.9.9"])
        // A one-field line before a real one is an error of its own line, never absorbed.
        let junk = #expect(throws: HookInputError.self) {
            try RefUpdate.parsePrePush("junk\r\nrefs/tags/v9.9.9 \(b) refs/tags/v9.9.9 \(zero)\n")
        }
        if case .malformedLine(let number, let line, _, _)? = junk {
            #expect(number == 1 && line == "junk", "\(String(describing: junk))")
        }
    }

    @Test func splitsCRLFPreReceiveInputIntoItsLines() throws {
        let input = "\(zero) \(a) refs/heads/x\r\n\(zero) \(b) refs/tags/v9.9.9\r\n"
        #expect(try ServerHook.parsePreReceive(input).map(\.ref) == ["refs/heads/x", "refs/tags/v9.9.9"])
        do {
            _ = try ServerHook.parsePreReceive("\(zero) \(a) refs/heads/x\r\njunk\r\n")
            Issue.record("accepted a junk line")
        } catch {
            guard case .malformedLine(let number, _, _, _) = error else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(number == 2)
        }
    }
}
