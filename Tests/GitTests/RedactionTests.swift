import Git
import Testing

/// `redacted`, the one function that takes credentials out of text.
struct RedactionTests {
    @Test(arguments: [
        ("https://ghp_abc123@github.com/org/app.git", "https://***@github.com/org/app.git"),
        ("https://alice:S3CRET@git.example.test/app.git", "https://***@git.example.test/app.git"),
        ("https://x-access-token:ghs_abc@github.com/o/a.git master", "https://***@github.com/o/a.git master"),
        ("git://ghp_abc@127.0.0.1:9418/prod.git", "git://***@127.0.0.1:9418/prod.git"),
        ("https://[::1]:8443/app.git?private_token=glpat-1&ref=main", "https://[::1]:8443/app.git?private_token=***&ref=main"),
        ("https://h/a.git?Access_Token=t1;sig=s2#frag", "https://h/a.git?Access_Token=***;sig=***#frag"),
        ("https://h/blob?X-Amz-Signature=abc&X-Amz-Credential=def&x=1", "https://h/blob?X-Amz-Signature=***&X-Amz-Credential=***&x=1"),
        ("ssh://git@host.test:2222/app.git", "ssh://git@host.test:2222/app.git"),
        ("ssh://deploy:pw@host.test/app.git", "ssh://deploy:***@host.test/app.git"),
        ("git@github.com:org/app.git", "git@github.com:org/app.git"),
        (
            "error: reading https://ghp_abc@h/a.git master: https://ghp_abc@h/a.git: 401 (`x`)",
            "error: reading https://***@h/a.git master: https://***@h/a.git: 401 (`x`)"
        ),
        ("the key=value of a sentence, and a.b?token", "the key=value of a sentence, and a.b?token"),
        ("/srv/prod.git", "/srv/prod.git"),
    ])
    func removesUserInfoAndTokenParameters(_ text: String, _ expected: String) {
        #expect(redacted(text) == expected)
    }

    @Test func alsoRemovesTheSecretsItIsGiven() {
        #expect(redacted("authentication failed for user ghp_abc123", alsoHiding: ["ghp_abc123"]) == "authentication failed for user ***")
    }
}
