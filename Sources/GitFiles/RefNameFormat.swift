/// git's rules for ref names (`git check-ref-format`).
public enum RefNameFormat {
    /// Whether `name` is a well-formed full reference name (`git check-ref-format`), checked
    /// without libgit2: the hook validates every input line before it knows whether it needs
    /// libgit2 at all. A test holds it equal to `git_reference_name_is_valid`.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes != [UInt8(ascii: "@")], bytes.last != UInt8(ascii: "."), bytes.last != UInt8(ascii: "/"),
              bytes.first != UInt8(ascii: "/")
        else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte < 0x20 || byte == 0x7F { return false }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "~"), UInt8(ascii: "^"), UInt8(ascii: ":"), UInt8(ascii: "?"),
                 UInt8(ascii: "*"), UInt8(ascii: "["), UInt8(ascii: "\\"):
                return false
            case UInt8(ascii: "."):
                if previous == UInt8(ascii: ".") { return false }
            case UInt8(ascii: "/"):
                if previous == UInt8(ascii: "/") { return false }
            case UInt8(ascii: "{"):
                if previous == UInt8(ascii: "@") { return false }
            default:
                break
            }
            previous = byte
        }
        for component in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if component.first == UInt8(ascii: ".") || component.elementsEqual(".lock".utf8) { return false }
            if component.count >= 5, component.suffix(5).elementsEqual(".lock".utf8) { return false }
        }
        // A one-level name must be like HEAD (uppercase and underscores); full names have a slash.
        if !bytes.contains(UInt8(ascii: "/")) {
            return bytes.allSatisfy { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 == UInt8(ascii: "_") }
        }
        return true
    }
}
