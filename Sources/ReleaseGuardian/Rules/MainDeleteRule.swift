/// `main-delete`: the main branch is never deleted.
struct MainDeleteRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) -> Violation? {
        guard update.kind == .mainBranch, update.update.isDeletion else { return nil }
        return Violation(
            rule: .mainDelete, ref: update.update.ref,
            message: "this push deletes \(update.shortName), the main branch (it deploys to preprod).",
            fix: "Do not push the deletion. To make another branch the main one, set release.main in .release-guardian first.")
    }
}
