import Glibc

/// Byte strings compared as git compares ref names (byte order, `memcmp`), for the loops that
/// run once per ref of 100k (a remote's advertisement against packed-refs), where the generic
/// `lexicographicallyPrecedes` and `starts(with:)` cost more than the rest of the loop.
public enum Bytes {
    /// Negative when `a` sorts before `b`, zero when they are equal, positive after.
    @inlinable
    public static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = Swift.min(a.count, b.count)
        if common > 0 {
            let order = memcmp(a.baseAddress!, b.baseAddress!, common)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }

    @inlinable
    public static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        bytes.count >= prefix.utf8CodeUnitCount && memcmp(bytes.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    @inlinable
    public static func hasSuffix(_ bytes: UnsafeBufferPointer<UInt8>, _ suffix: StaticString) -> Bool {
        bytes.count >= suffix.utf8CodeUnitCount
            && memcmp(bytes.baseAddress! + bytes.count - suffix.utf8CodeUnitCount, suffix.utf8Start, suffix.utf8CodeUnitCount) == 0
    }
}
