/// The keys of `hooks` and of one hook.
enum HookKeys {
    static let command = KeySpec<String>.required("command", .command, doc: "The command, run by `sh -c` in the release directory.")
    static let timeout = KeySpec<Duration>.defaulted(
        "timeout", .duration(.seconds(1) ... .seconds(3_600)), .seconds(30), "`30s`",
        doc: "How long the hook may run before the deploy fails.")

    static let hookSpec = ObjectSpec(
        id: "Hook", path: "services.<name>.hooks.<phase>[]", noun: "hook",
        doc: "One hook: a command string, or a mapping with the command and its timeout.",
        keys: [command.info, timeout.info],
        example: """
            pre_shutdown: [ "./drain.sh", { command: ./save_state.sh, timeout: 2m } ]
            """)

    /// A hook written as a string (default timeout) or as `{ command, timeout }`.
    static let hook: ValueSpec<Hook> = {
        let object = ValueSpec<Hook>.object(hookSpec) { reader in
            reader.read(HookKeys.command).map { Hook(command: $0, timeout: reader.value(HookKeys.timeout)) }
        }
        var spec = object
        spec.typeName = "command, or mapping ([hook](#hook))"
        spec.schema = { builder in
            .object([("oneOf", .array([ValueSpec<String>.command.schema(&builder), object.schema(&builder)]))])
        }
        spec.decode = { node, context in
            if node.pairs != nil { return object.decode(node, context) }
            return ValueSpec<String>.command.decode(node, context).map { Hook(command: $0, timeout: HookKeys.timeout.defaultValue ?? .seconds(30)) }
        }
        return spec
    }()

    static let preShutdown = KeySpec<[Hook]>.defaulted(
        "pre_shutdown", .list(hook), [], "none",
        doc: "Run, in order, before the running release is stopped: drain connections, save state.")
    static let postDeploy = KeySpec<[Hook]>.defaulted(
        "post_deploy", .list(hook), [], "none",
        doc: "Run, in order, after the new release started and passed its health check: warm caches.")

    static let spec = ObjectSpec(
        id: "Hooks", path: "services.<name>.hooks",
        doc: "Commands run on the host around a deploy, in the release directory. A failing hook fails the deploy.",
        keys: [preShutdown.info, postDeploy.info],
        example: """
            hooks:
              pre_shutdown: [ "./drain.sh" ]
              post_deploy: [ { command: ./warm_cache.sh, timeout: 2m } ]
            """)

    static let value = ValueSpec<Hooks>.object(spec) { reader in
        Hooks(preShutdown: reader.value(HookKeys.preShutdown), postDeploy: reader.value(HookKeys.postDeploy))
    }
}
