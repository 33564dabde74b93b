import Git

/// Secrets in what the CLI prints, which does not import Git.
public enum Secrets {
    /// `Git.redacted`, the one redaction function: every line the CLI prints goes through it.
    public static func redacted(_ text: String) -> String {
        Git.redacted(text)
    }
}
