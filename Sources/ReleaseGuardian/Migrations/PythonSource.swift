/// The few statements of a Python file that migration tools read their identity from
/// (`revision = "ae1027a6acf"`, `dependencies = [("blog", "0001_initial")]`), read without
/// Python: the file is split into tokens and logical lines as Python's tokenizer does (strings,
/// triple-quoted docstrings, comments, brackets spanning lines, `\` continuations), and only
/// literal values are understood: strings, `None`, `True`/`False`, tuples and lists of them, and
/// calls (by name, arguments unread). Anything else — a value computed at import time, an f-string,
/// an escape inside a string — is `nil`: not known, never guessed.
///
/// Not handled, documented: assignments inside a top-level `if`/`try` block (only statements at
/// the top level, or directly in a class body, are read), and f-strings that nest the same quote
/// inside their braces (Python 3.12), which end the string early here.
struct PythonSource {
    struct Token: Equatable {
        enum Kind: Equatable {
            /// A name, keyword or number.
            case word
            /// A string literal; `value` is nil when it cannot be taken as is (bytes, an f-string,
            /// an escape sequence).
            case string(value: String?)
            case operator_
        }
        let kind: Kind
        let text: String
    }

    /// A logical line: its first token's column (tabs to the next multiple of 8), its tokens,
    /// its first physical line (1-based).
    struct Line {
        let indent: Int
        let tokens: [Token]
        let number: Int
    }

    /// Why a file cannot be read as Python.
    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        let line: Int
        let detail: String
        var description: String { "line \(line): \(detail)" }
    }

    let lines: [Line]

    /// Reads UTF-8 source (a leading byte-order mark is skipped); throws where the file is not
    /// UTF-8 or a string or bracket is left open.
    init(_ bytes: [UInt8]) throws(SyntaxError) {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        guard String(validating: bytes[start...], as: UTF8.self) != nil else {
            throw SyntaxError(line: 1, detail: "not UTF-8 text")
        }
        lines = try Self.logicalLines(Array(bytes[start...]))
    }

    /// Python's operators of more than one character, longest first.
    static let operators = [
        "**=", "//=", ">>=", "<<=", "...", "==", "!=", "<=", ">=", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
        "->", "**", "//", ">>", "<<",
    ]

    /// The operators that change a name in place (`name += …`).
    static let augmentedAssignments: Set<String> = ["**=", "//=", ">>=", "<<=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", ":="]

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    private static func logicalLines(_ bytes: [UInt8]) throws(SyntaxError) -> [Line] {
        var lines: [Line] = []
        var tokens: [Token] = []
        var indent = 0
        var column = 0
        var lineNumber = 1
        var firstLine = 1
        var depth = 0
        var atLineStart = true
        var index = 0
        let count = bytes.count

        func endLine() {
            if !tokens.isEmpty { lines.append(Line(indent: indent, tokens: tokens, number: firstLine)) }
            tokens = []
            atLineStart = true
            column = 0
        }
        func add(_ token: Token) {
            if tokens.isEmpty {
                indent = column
                firstLine = lineNumber
            }
            tokens.append(token)
        }

        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                // \r\n, \r and \n all end a physical line.
                if byte == UInt8(ascii: "\r"), index + 1 < count, bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
                index += 1
                lineNumber += 1
                if depth == 0 { endLine() }
                continue
            case UInt8(ascii: " "), 0x0C:
                if atLineStart && tokens.isEmpty { column += 1 }
                index += 1
                continue
            case UInt8(ascii: "\t"):
                if atLineStart && tokens.isEmpty { column = (column / 8 + 1) * 8 }
                index += 1
                continue
            case UInt8(ascii: "#"):
                while index < count, bytes[index] != UInt8(ascii: "\n"), bytes[index] != UInt8(ascii: "\r") { index += 1 }
                continue
            case UInt8(ascii: "\\"):
                // A line continuation: the next physical line goes on this logical one.
                var next = index + 1
                if next < count, bytes[next] == UInt8(ascii: "\r") { next += 1 }
                if next < count, bytes[next] == UInt8(ascii: "\n") { next += 1 }
                guard next > index + 1 else { throw SyntaxError(line: lineNumber, detail: "a backslash outside a string") }
                index = next
                lineNumber += 1
                continue
            default:
                break
            }
            atLineStart = false
            if isWordByte(byte) {
                var end = index
                while end < count, isWordByte(bytes[end]) { end += 1 }
                // A string prefix (r, u, b, f and their pairs) right before a quote.
                if end < count, bytes[end] == UInt8(ascii: "'") || bytes[end] == UInt8(ascii: "\""), end - index <= 2,
                    bytes[index..<end].allSatisfy({ "rRuUbBfF".utf8.contains($0) })
                {
                    let prefix = String(decoding: bytes[index..<end], as: UTF8.self).lowercased()
                    let (token, after, newlines) = try string(bytes, at: end, prefix: prefix, line: lineNumber)
                    add(token)
                    lineNumber += newlines
                    index = after
                    continue
                }
                add(Token(kind: .word, text: String(decoding: bytes[index..<end], as: UTF8.self)))
                index = end
                continue
            }
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                let (token, after, newlines) = try string(bytes, at: index, prefix: "", line: lineNumber)
                add(token)
                lineNumber += newlines
                index = after
                continue
            }
            // Operators and brackets, the longest first, so that a lone `=` is always an assignment.
            var end = index + 1
            for candidate in Self.operators where bytes[index...].starts(with: candidate.utf8) {
                end = index + candidate.utf8.count
                break
            }
            let text = String(decoding: bytes[index..<end], as: UTF8.self)
            switch text {
            case "(", "[", "{": depth += 1
            case ")", "]", "}":
                guard depth > 0 else { throw SyntaxError(line: lineNumber, detail: "'\(text)' closes nothing") }
                depth -= 1
            default: break
            }
            add(Token(kind: .operator_, text: text))
            index = end
        }
        guard depth == 0 else { throw SyntaxError(line: lineNumber, detail: "a bracket is left open at the end of the file") }
        endLine()
        return lines
    }

    /// The string literal whose opening quote is at `start`: the token, the index after it, and
    /// the line breaks inside it.
    private static func string(_ bytes: [UInt8], at start: Int, prefix: String, line: Int) throws(SyntaxError) -> (Token, Int, Int) {
        let quote = bytes[start]
        let triple = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
        let delimiter = triple ? 3 : 1
        var index = start + delimiter
        var newlines = 0
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                escaped = true
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { newlines += 1 }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\n")
                || (byte == UInt8(ascii: "\r") && (index + 1 >= bytes.count || bytes[index + 1] != UInt8(ascii: "\n")))
            {
                guard triple else { throw SyntaxError(line: line + newlines, detail: "a string is not closed on its line") }
                newlines += 1
            }
            if byte == quote && (!triple || (index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote)) {
                let body = bytes[(start + delimiter)..<index]
                let end = index + delimiter
                let text = String(decoding: bytes[(start - prefix.utf8.count)..<end], as: UTF8.self)
                // Only a plain or raw text string is taken as it is written.
                let isRaw = prefix.contains("r")
                let usable = !prefix.contains("b") && !prefix.contains("f") && (isRaw || !escaped)
                return (Token(kind: .string(value: usable ? String(decoding: body, as: UTF8.self) : nil), text: text), end, newlines)
            }
            index += 1
        }
        throw SyntaxError(line: line, detail: "a string is not closed")
    }
}

/// A literal value, as written in the file.
indirect enum PythonLiteral: Equatable {
    case none
    case bool(Bool)
    case string(String)
    /// A tuple or a list.
    case sequence([PythonLiteral])
    /// A call such as `migrations.swappable_dependency(settings.AUTH_USER_MODEL)`: its dotted
    /// name; the arguments are not read.
    case call(String)

    /// The literal the tokens spell, nil when they are anything else.
    init?(_ tokens: ArraySlice<PythonSource.Token>) {
        var rest = tokens
        guard let value = Self.parse(&rest), rest.isEmpty else { return nil }
        self = value
    }

    private static func parse(_ tokens: inout ArraySlice<PythonSource.Token>) -> PythonLiteral? {
        guard let first = tokens.first else { return nil }
        switch first.kind {
        case .string:
            // Adjacent strings are one ("ab" "cd").
            var text = ""
            while let token = tokens.first, case .string(let value) = token.kind {
                guard let value else { return nil }
                text += value
                tokens.removeFirst()
            }
            return .string(text)
        case .word:
            tokens.removeFirst()
            switch first.text {
            case "None": return PythonLiteral.none
            case "True": return .bool(true)
            case "False": return .bool(false)
            default: break
            }
            // A dotted name, which must be called.
            var name = first.text
            while tokens.count >= 2, tokens.first?.text == ".", case .word = tokens[tokens.startIndex + 1].kind {
                name += "." + tokens[tokens.startIndex + 1].text
                tokens.removeFirst(2)
            }
            guard tokens.first?.text == "(" else { return nil }
            var depth = 0
            while let token = tokens.popFirst() {
                if token.kind == .operator_ && ["(", "[", "{"].contains(token.text) { depth += 1 }
                if token.kind == .operator_ && [")", "]", "}"].contains(token.text) { depth -= 1 }
                if depth == 0 { return .call(name) }
            }
            return nil
        case .operator_:
            guard first.text == "(" || first.text == "[" else { return nil }
            let closing = first.text == "(" ? ")" : "]"
            tokens.removeFirst()
            var elements: [PythonLiteral] = []
            var sawComma = false
            while true {
                if tokens.first?.text == closing {
                    tokens.removeFirst()
                    // `("abc")` is the string itself; `("abc",)`, `()` and `[...]` are sequences.
                    if closing == ")" && elements.count == 1 && !sawComma { return elements[0] }
                    return .sequence(elements)
                }
                guard let element = parse(&tokens) else { return nil }
                elements.append(element)
                if tokens.first?.text == "," {
                    tokens.removeFirst()
                    sawComma = true
                } else if tokens.first?.text != closing {
                    return nil
                }
            }
        }
    }

    /// `"a"` → ["a"]; `("a", "b")` → ["a", "b"]; `None` and `()` → []; nil for anything else
    /// (alembic's `to_tuple` over the values it accepts).
    var strings: [String]? {
        switch self {
        case .none: return []
        case .string(let value): return [value]
        case .sequence(let elements):
            var result: [String] = []
            for element in elements {
                guard case .string(let value) = element else { return nil }
                result.append(value)
            }
            return result
        default: return nil
        }
    }
}

/// What a run of statements does to one name.
enum PythonAssignment: Equatable {
    /// Bound to a literal.
    case literal(PythonLiteral)
    /// Bound or changed in a way not read here (a computed value, `+=`, unpacking).
    case unreadable(line: Int)
}

extension PythonSource {
    /// The statements at the top level of the file.
    var topLevel: [Line] { lines.filter { $0.indent == 0 } }

    /// The statements directly in the body of the last top-level `class NAME(...):`, nil when
    /// the file has no such class.
    func classBody(named name: String) -> [Line]? {
        guard
            let header = lines.lastIndex(where: {
                $0.indent == 0 && $0.tokens.count >= 2 && $0.tokens[0].text == "class" && $0.tokens[1].text == name
            })
        else { return nil }
        let body = lines[(header + 1)...].prefix { $0.indent > 0 }
        guard let bodyIndent = body.first?.indent else { return [] }
        return body.filter { $0.indent == bodyIndent }
    }

    /// What the last of `statements` that binds `name` binds it to; nil when none does.
    /// `name = value`, `name: annotation = value` and `a = name = value` bind it; `name += …`
    /// and `name, other = …` change it unreadably; `name: annotation` alone binds nothing.
    static func assignment(of name: String, in statements: [Line]) -> PythonAssignment? {
        var found: PythonAssignment?
        for line in statements {
            let tokens = line.tokens
            guard tokens.contains(where: { $0.kind == .word && $0.text == name }) else { continue }
            // The `=` signs outside brackets split the targets from the value.
            var depth = 0
            var equals: [Int] = []
            var augmented = false
            for (index, token) in tokens.enumerated() where token.kind == .operator_ {
                switch token.text {
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth -= 1
                case "=" where depth == 0: equals.append(index)
                case let text where depth == 0 && augmentedAssignments.contains(text):
                    if tokens.first?.text == name { augmented = true }
                default: break
                }
            }
            if augmented {
                found = .unreadable(line: line.number)
                continue
            }
            guard let last = equals.last else { continue }
            var targetStart = 0
            var binds = false
            var unreadable = false
            for end in equals {
                let target = tokens[targetStart..<end]
                targetStart = end + 1
                guard target.contains(where: { $0.kind == .word && $0.text == name }) else { continue }
                // `name` or `name: annotation`; anything else that names it (unpacking, an
                // attribute or item of it) is not read.
                if target.first?.text == name && (target.count == 1 || target[target.startIndex + 1].text == ":") {
                    binds = true
                } else if target.first?.text == name || target.contains(where: { $0.text == "," }) {
                    unreadable = true
                }
            }
            if unreadable {
                found = .unreadable(line: line.number)
            } else if binds {
                found = PythonLiteral(tokens[(last + 1)...]).map { .literal($0) } ?? .unreadable(line: line.number)
            }
        }
        return found
    }
}
