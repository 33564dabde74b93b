import Foundation
import Git
import TestSupport
import Testing
@testable import ReleaseGuardian

/// Notices through the real libcurl to a real receiver on loopback, over HTTPS with an authority
/// the test makes (Servers/webhook-receiver.py): what is sent, and that the URL — a secret whose
/// secret is its path — never appears in an outcome.
struct NotifierTests {
    let scratch: Scratch
    let authority: ThrowawayAuthority
    /// The secret part of the URLs, as Mattermost's look: `/hooks/<26 characters>`.
    let secretPath = "/hooks/xk4fz9tq8b7nw3ryy1m2c6pd5e"
    let secret = "xk4fz9tq8b7nw3ryy1m2c6pd5e"

    init() throws {
        scratch = try Scratch()
        authority = try ThrowawayAuthority(in: scratch.root + "/authority", scratch: scratch)
    }

    func notifier(url: String?, caFile: String? = nil, variable: String = NoticeSettings.defaultWebhookEnv) -> Notifier {
        var settings = NoticeSettings()
        settings.webhookEnv = variable
        settings.caFile = caFile
        return Notifier(settings: settings, environment: url.map { [variable: $0] } ?? [:])
    }

    /// The reason of a failed outcome, checked to hold nothing of `url`.
    func reason(_ outcome: NoticeOutcome, url: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)", sourceLocation: sourceLocation)
            return ""
        }
        for part in [url, secretPath, secret] {
            #expect(!reason.contains(part), "the reason holds \(part): \(reason)", sourceLocation: sourceLocation)
        }
        return reason
    }

    @Test func postsTheMarkdownAsTheOnlyFieldOfAJSONBody() throws {
        let receiver = try WebhookReceiver(scratch: scratch, authority: authority)
        let markdown = """
            #### :rotating_light: Rollback of **prod** to `v1.4.2`
            | target | before | after |
            | --- | --- | --- |
            | prod-interface | `ab12cd3` | `9f8e7d6` |
            Reason: "payment form broken" \\ by alice — café ✓
            <https://example.test/runbook?x=1&y=2>\ttab\u{1}
            """
        #expect(notifier(url: receiver.url(path: secretPath), caFile: authority.authorityFile).send(text: markdown) == .sent)
        let requests = receiver.requests
        try #require(requests.count == 1)
        #expect(requests[0].method == "POST")
        #expect(requests[0].path == secretPath)
        #expect(requests[0].contentType == "application/json")
        let json = try JSONSerialization.jsonObject(with: Data(requests[0].body.utf8)) as? [String: Any]
        #expect(json?.count == 1)
        #expect(json?["text"] as? String == markdown)
    }

    @Test func refusesACertificateNoTrustedAuthoritySigned() throws {
        let receiver = try WebhookReceiver(scratch: scratch, authority: authority)
        let url = receiver.url(path: secretPath)
        let reason = reason(notifier(url: url).send(text: "deploying"), url: url)
        #expect(reason.contains("TLS certificate of 127.0.0.1 is not trusted"), "\(reason)")
        // libcurl's own words on why (OpenSSL: "unable to get local issuer certificate").
        #expect(reason.contains("certificate problem"), "\(reason)")
        #expect(reason.contains("notify.caFile"), "\(reason)")
        #expect(receiver.requests.isEmpty)
        // Another authority's file is no better.
        let other = try ThrowawayAuthority(in: scratch.root + "/other", scratch: scratch)
        let refused = self.reason(notifier(url: url, caFile: other.authorityFile).send(text: "deploying"), url: url)
        #expect(refused.contains("not trusted by the authorities in notify.caFile \(other.authorityFile)"), "\(refused)")
        #expect(receiver.requests.isEmpty)
    }

    @Test func reportsAnErrorStatusWithTheReceiversAnswerButNotTheURL() throws {
        // A receiver that quotes the path it was asked for, as error pages do.
        let receiver = try WebhookReceiver(
            scratch: scratch, authority: authority, status: 500,
            answer: "Internal error: no channel for \(secretPath) (hook \(secret))\n\u{1B}[31mretry\u{1B}[0m")
        let url = receiver.url(path: secretPath)
        let reason = reason(notifier(url: url, caFile: authority.authorityFile).send(text: "deploying"), url: url)
        #expect(reason.hasPrefix("the webhook at 127.0.0.1 answered HTTP 500: Internal error: no channel for "), "\(reason)")
        #expect(!reason.contains("\u{1B}"), "\(reason)")
        #expect(receiver.requests.count == 1)
    }

    /// The one test that waits for the timeout.
    @Test func aReceiverThatNeverAnswersCostsTheTimeoutAndNoMore() throws {
        let receiver = try WebhookReceiver(scratch: scratch, authority: authority, hangs: true)
        let url = receiver.url(path: secretPath)
        let start = ContinuousClock.now
        let outcome = notifier(url: url, caFile: authority.authorityFile).send(text: "deploying")
        let elapsed = ContinuousClock.now - start
        let reason = reason(outcome, url: url)
        #expect(reason.hasPrefix("no answer from the webhook at 127.0.0.1 within 10 s"), "\(reason)")
        #expect(elapsed >= .seconds(9.5) && elapsed < .seconds(13), "took \(elapsed)")
        #expect(receiver.requests.count == 1)
    }

    @Test func sendsNothingWhenTheVariableIsUnsetOrEmpty() throws {
        #expect(notifier(url: nil).send(text: "deploying") == .notConfigured(variable: "RELEASE_GUARDIAN_WEBHOOK_URL"))
        #expect(notifier(url: "").send(text: "deploying") == .notConfigured(variable: "RELEASE_GUARDIAN_WEBHOOK_URL"))
        #expect(notifier(url: " \n").send(text: "deploying") == .notConfigured(variable: "RELEASE_GUARDIAN_WEBHOOK_URL"))
        // The URL in another variable than the one named is not looked at.
        var settings = NoticeSettings()
        settings.webhookEnv = "TEAM_CHAT_HOOK"
        let receiver = try WebhookReceiver(scratch: scratch, authority: authority)
        let elsewhere = Notifier(settings: settings, environment: ["RELEASE_GUARDIAN_WEBHOOK_URL": receiver.url(path: secretPath)])
        #expect(elsewhere.send(text: "deploying") == .notConfigured(variable: "TEAM_CHAT_HOOK"))
        #expect(receiver.requests.isEmpty)
        settings.caFile = authority.authorityFile
        let named = Notifier(settings: settings, environment: ["TEAM_CHAT_HOOK": receiver.url(path: secretPath)])
        #expect(named.send(text: "deploying") == .sent)
        #expect(receiver.requests.count == 1)
    }

    /// Plain http:// carries the secret in clear text: only to this machine.
    @Test func sendsPlainHTTPOnlyToLoopback() throws {
        let receiver = try WebhookReceiver(scratch: scratch, authority: nil)
        #expect(notifier(url: receiver.url(path: secretPath)).send(text: "one") == .sent)
        #expect(notifier(url: receiver.url(path: secretPath, host: "localhost")).send(text: "two") == .sent)
        #expect(receiver.requests.map(\.body) == [#"{"text":"one"}"#, #"{"text":"two"}"#])
        for url in [
            "http://chat.example.test\(secretPath)", "http://10.1.2.3:8065\(secretPath)", "http://127.0.0.1.example.test\(secretPath)",
        ] {
            let reason = reason(notifier(url: url).send(text: "three"), url: url)
            #expect(reason.contains("plain http:// URL to "), "\(reason)")
            #expect(reason.contains("which is not loopback"), "\(reason)")
        }
        #expect(receiver.requests.count == 2)
    }

    @Test func refusesWhatIsNotAnHTTPSURLWithoutQuotingIt() throws {
        for url in [
            "chat.example.test\(secretPath)", "ftp://chat.example.test\(secretPath)", "file:///tmp\(secretPath)",
            "https://\(secret)@", "ht tps://chat.example.test\(secretPath)",
        ] {
            let reason = reason(notifier(url: url).send(text: "deploying"), url: url)
            #expect(reason.contains("RELEASE_GUARDIAN_WEBHOOK_URL"), "\(url): \(reason)")
        }
    }

    @Test func saysWhyWhenNothingListensOrTheAuthoritiesCannotBeRead() throws {
        let port = try freeLoopbackPort()
        let url = "https://127.0.0.1:\(port)\(secretPath)"
        let refused = reason(notifier(url: url).send(text: "deploying"), url: url)
        #expect(refused.hasPrefix("the webhook at 127.0.0.1 cannot be reached: "), "\(refused)")
        let missing = scratch.root + "/no-such.pem"
        #expect(notifier(url: url, caFile: missing).send(text: "deploying") == .failed(reason: "notify.caFile \(missing) cannot be read."))
        let receiver = try WebhookReceiver(scratch: scratch, authority: authority)
        let served = receiver.url(path: secretPath)
        let garbage = scratch.root + "/garbage.pem"
        try scratch.write("not a certificate\n", to: garbage)
        let unreadable = reason(notifier(url: served, caFile: garbage).send(text: "deploying"), url: served)
        #expect(unreadable.hasPrefix("notify.caFile \(garbage) holds no authority libcurl can read ("), "\(unreadable)")
        #expect(receiver.requests.isEmpty)
    }

    @Test func showsNothingOfTheURLWhenPrintedOrDumped() throws {
        let url = "https://chat.example.test\(secretPath)"
        let notifier = notifier(url: url)
        var dumped = ""
        dump(notifier, to: &dumped)
        for text in ["\(notifier)", String(reflecting: notifier), dumped] {
            #expect(!text.contains(secret), "\(text)")
        }
        #expect("\(notifier)" == "the webhook in RELEASE_GUARDIAN_WEBHOOK_URL")
    }
}

/// `notify.webhookEnv` and `notify.caFile`, read alike by the hook's plain reader and libgit2's path.
struct NoticeSettingsTests {
    let world: ReleaseWorld

    init() throws { world = try ReleaseWorld(.empty) }

    func plain() throws -> Settings? {
        let environment = world.scratch.environment
        guard let layout = RepositoryLayout.find(from: world.work, environment: { environment[$0] }) else { return nil }
        return try PlainSettings.read(layout: layout, environment: { environment[$0] }).value
    }

    func full() throws -> Settings {
        LibGit2.ignoreUserAndSystemConfiguration()
        return try Settings.load(for: Repository.open(at: world.work))
    }

    @Test func readsTheVariableNameAndTheAuthoritiesFile() throws {
        #expect(try full().notify == NoticeSettings())
        #expect(try full().notify.webhookEnv == "RELEASE_GUARDIAN_WEBHOOK_URL")
        try world.scratch.write(
            "[notify]\n    webhookEnv = TEAM_CHAT_HOOK\n    caFile = ~/company-ca.pem\n", to: world.work + "/.release-guardian")
        let settings = try full()
        #expect(settings.notify.webhookEnv == "TEAM_CHAT_HOOK")
        #expect(settings.notify.caFile == NSHomeDirectory() + "/company-ca.pem")
        #expect(try plain() == settings)
        try world.git("config", "release-guardian.notify.webhookEnv", "OTHER_HOOK")
        #expect(try full().notify.webhookEnv == "OTHER_HOOK")
        #expect(try plain() == (try full()))
    }

    @Test func refusesAURLWhereTheVariableNameGoesWithoutPrintingIt() throws {
        let url = "https://chat.example.test/hooks/xk4fz9tq8b7nw3ryy1m2c6pd5e"
        for value in [url, "1ST_HOOK", "TEAM-HOOK", ""] {
            try world.scratch.write("[notify]\n    webhookEnv = \(value)\n", to: world.work + "/.release-guardian")
            let full = #expect(throws: ConfigurationError.self) { try self.full() }
            let plain = #expect(throws: ConfigurationError.self) { try self.plain() }
            #expect(plain == full, "\(value)")
            let message = "\(full.map { "\($0)" } ?? "")"
            #expect(message.contains("notify.webhookEnv"), "\(message)")
            #expect(!message.contains("xk4fz9tq8b7nw3ryy1m2c6pd5e"), "\(message)")
        }
    }
}
