import FerryConfig
import Foundation

extension FuzzTarget {
    /// The config decoder: `ConfigLoader` over a repository whose `ferry.yaml` is the input.
    /// Rules: a configuration comes back exactly when there is no error, and every
    /// diagnostic says something.
    public static let config = FuzzTarget(name: "config", dictionary: configDictionary) { data throws(FuzzViolation) in
        var files = sourceFiles
        files["ferry.yaml"] = data
        let result = ConfigLoader(source: MemoryConfigSource(files: files)).load()
        try require((result.configuration == nil) == !result.errors.isEmpty,
                    "a configuration came back with \(result.errors.count) errors")
        try require(result.diagnostics.allSatisfy { !$0.message.isEmpty }, "a diagnostic without a message")
    }

    /// The repository's other files, which `sources`, `include` and `from_file` may name.
    private static let sourceFiles: [String: Data] = [
        "api.py": Data("print('api')\n".utf8),
        "web/server.py": Data("print('web')\n".utf8),
        "services/extra.yaml": Data("services:\n  extra:\n    hosts: [web-1]\n    sources: [\"api.py\"]\n    run: { command: python3 api.py }\n".utf8),
        "secrets/token": Data("s3cr3t\n".utf8),
    ]

    private static let configDictionary = [
        "hosts:", "services:", "defaults:", "include:", "security:", "alerts:", "network_zones:", "address:", "user:", "port:",
        "identity_file:", "host_key:", "sources:", "run:", "command:", "manager:", "lifecycle:", "env:", "from_env:", "from_file:",
        "from_age:", "health_check:", "hooks:", "post_deploy:", "pre_shutdown:", "rollout:", "canary:", "batches:", "max_failures:",
        "timeouts:", "remote_dir:", "keep_releases:", "change_detection:", "error_policy:", "retry_on:", "fail_on:", "drift:",
        "systemd", "process", "persistent", "transient", "on_demand", "content_hash", "git_commit", "mtime", "10s", "5m", "100%",
        "\n  ", "\n    ", "- ", ": ", "&a ", "*a", "<<: ", "!!str ", "!!binary ", "{", "}", "[", "]", "\"", "'", "|\n", ">-\n", "#",
        "---\n", "...\n", "~", "null", "yes", "0x1F", "1e309", "-1", "99999999999999999999", "../", "/etc/passwd", "$(id)", "`id`",
        "\t", "\r\n", "\u{FEFF}", "\\u0000", "\\x00",
    ]
}
