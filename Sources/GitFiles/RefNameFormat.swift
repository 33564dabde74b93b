/// git's rules for ref names (`git check-ref-format`).
public enum RefNameFormat {
    /// Whether `name` is a well-formed full reference name (`git check-ref-format`), checked
    /// without libgit2: the hook validates every input line before it knows whether it needs
    /// libgit2 at all. A test holds it equal to `git_reference_name_is_valid`.
    public static func isValid(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isValid(bytes: $0) }
    }

    /// The same, on a name's bytes: the readers check each name of a packed-refs they list, as
    /// git does, so this allocates nothing.
    public static func isValid(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count > 0, !(count == 1 && bytes[0] == UInt8(ascii: "@")), bytes[count - 1] != UInt8(ascii: "."),
            bytes[count - 1] != UInt8(ascii: "/"), bytes[0] != UInt8(ascii: "/")
        else { return false }
        var previous: UInt8 = 0
        var componentStart = 0
        var hasSlash = false
        for index in 0..<count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F { return false }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "~"), UInt8(ascii: "^"), UInt8(ascii: ":"), UInt8(ascii: "?"),
                UInt8(ascii: "*"), UInt8(ascii: "["), UInt8(ascii: "\\"):
                return false
            case UInt8(ascii: "."):
                if previous == UInt8(ascii: ".") { return false }
            case UInt8(ascii: "/"):
                if previous == UInt8(ascii: "/") { return false }
                guard isValidComponent(bytes, from: componentStart, to: index) else { return false }
                componentStart = index + 1
                hasSlash = true
            case UInt8(ascii: "{"):
                if previous == UInt8(ascii: "@") { return false }
            default:
                break
            }
            previous = byte
        }
        guard isValidComponent(bytes, from: componentStart, to: count) else { return false }
        // A one-level name must be like HEAD (uppercase and underscores); full names have a slash.
        return hasSlash || bytes.allSatisfy { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 == UInt8(ascii: "_") }
    }

    /// A component neither starts with `.` nor ends with `.lock`.
    private static func isValidComponent(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        if end > start, bytes[start] == UInt8(ascii: ".") { return false }
        guard end - start >= 5 else { return true }
        return !UnsafeBufferPointer(rebasing: bytes[(end - 5)..<end]).elementsEqual(".lock".utf8)
    }
}
