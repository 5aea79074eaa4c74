/// The keys of `rollout`.
enum RolloutKeys {
    static let canary = KeySpec<Int>.defaulted(
        "canary", .integer(0...1_000), 0, "`0`",
        doc: "Hosts deployed and health-checked alone before the others; 0 for no canary.")
    static let batch = KeySpec<BatchSize>.defaulted(
        "batch", .batchSize, .percent(25), "`25%`",
        doc: "Hosts deployed at once after the canaries: a count or a percentage of the service's hosts (rounded up).")
    static let maxFailures = KeySpec<Int>.defaulted(
        "max_failures", .integer(0...1_000), 0, "`0`",
        doc: "Failed hosts tolerated before the rollout stops.")
    static let onHostFailure = KeySpec<HostFailurePolicy>.defaulted(
        "on_host_failure", .choice(HostFailurePolicy.self), .continue, "`continue`",
        doc: "When a host fails: `continue` keeps the hosts already switched on the new release, `rollback_all` switches them back too.")

    static let standard = RolloutPolicy(canary: 0, batch: .percent(25), maxFailures: 0, onHostFailure: .continue)

    static let spec = ObjectSpec(
        id: "Rollout", path: "services.<name>.rollout",
        doc: "How a deploy proceeds across the service's hosts.",
        keys: [canary.info, batch.info, maxFailures.info, onHostFailure.info],
        example: """
            rollout: { canary: 1, batch: 25%, max_failures: 0, on_host_failure: rollback_all }
            """)

    static let value = ValueSpec<RolloutPolicy>.object(spec) { reader in
        RolloutPolicy(
            canary: reader.value(RolloutKeys.canary), batch: reader.value(RolloutKeys.batch),
            maxFailures: reader.value(RolloutKeys.maxFailures), onHostFailure: reader.value(RolloutKeys.onHostFailure))
    }
}

/// The keys of `error_policy` and of its `retry_delay`.
enum ErrorPolicyKeys {
    static let exponential = KeySpec<RetryDelay>.optional(
        "exponential", exponentialValue,
        doc: "`[initial, factor, maximum]`: wait `initial`, multiply by `factor` after each retry, never above `maximum`.")
    static let fixed = KeySpec<Duration>.optional(
        "fixed", .duration(.zero ... .seconds(3_600)), doc: "The same wait before every retry.")

    static let delaySpec = ObjectSpec(
        id: "RetryDelay", path: "services.<name>.error_policy.retry_delay",
        doc: "The wait before each retry: exactly one of `exponential` or `fixed`.",
        keys: [exponential.info, fixed.info],
        exclusive: [ExclusiveGroup(keys: ["exponential", "fixed"], isRequired: true)],
        example: """
            retry_delay: { exponential: [1s, 2, 30s] }
            """)

    static let standardDelay = RetryDelay.exponential(initial: .seconds(1), factor: 2, maximum: .seconds(30))

    static let maxRetries = KeySpec<Int>.defaulted(
        "max_retries", .integer(0...100), 3, "`3`", doc: "Retries after the first attempt.")
    static let retryDelay = KeySpec<RetryDelay>.defaulted(
        "retry_delay", .object(delaySpec) { reader in
            if let delay = reader.read(ErrorPolicyKeys.exponential) { return delay }
            return reader.read(ErrorPolicyKeys.fixed).map(RetryDelay.fixed)
        }, standardDelay, "`{ exponential: [1s, 2, 30s] }`", doc: "The wait before each retry.")
    static let jitter = KeySpec<Bool>.defaulted(
        "jitter", .boolean, true, "`true`", doc: "Randomise waits (full jitter) so that hosts do not retry in step.")
    static let retryOn = KeySpec<[FailureCondition]>.defaulted(
        "retry_on", .list(condition(in: "retry_on")), [.timeout, .connectionRefused, .connectionReset],
        "`[timeout, connection_refused, connection_reset]`",
        doc: "Failures worth retrying: `timeout`, `connection_refused`, `connection_reset`, `host_unreachable`, `dns_failure`, `permission_denied`. Any other failure is not retried.")
    static let failOn = KeySpec<[FailureCondition]>.defaulted(
        "fail_on", .list(condition(in: "fail_on")), [.authenticationFailed, .hostKeyMismatch],
        "`[auth_failure, host_key_mismatch]`",
        doc: "Failures never retried, even when `retry_on` names them: `auth_failure`, `host_key_mismatch`, or any name `retry_on` takes.")

    /// A failure condition in `key`; HTTP status codes are refused: no step that `error_policy`
    /// retries speaks HTTP (a health check probes up to its own `retries`, whatever the status).
    private static func condition(in key: String) -> ValueSpec<FailureCondition> {
        ValueSpec<FailureCondition>.failureCondition.refusing([
            UnsupportedValue(
                subject: "an HTTP status code in `\(key)`",
                status: .notSupported(
                    issue: 9,
                    instead: "remove it: a health check probes up to its `retries` times whatever the status, and no step `error_policy` retries speaks HTTP")
            ) { text in !text.isEmpty && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber) },
        ])
    }

    static let standard = ErrorPolicy(
        maxRetries: 3, retryDelay: standardDelay, jitter: true,
        retryOn: [.timeout, .connectionRefused, .connectionReset], failOn: [.authenticationFailed, .hostKeyMismatch])

    static let spec = ObjectSpec(
        id: "ErrorPolicy", path: "services.<name>.error_policy",
        doc: "How failed remote steps are retried: connecting to a host and reading its services' state. A host's connection follows the policy of its first service by name.",
        keys: [maxRetries.info, retryDelay.info, jitter.info, retryOn.info, failOn.info],
        example: """
            error_policy: { max_retries: 3, retry_delay: { exponential: [1s, 2, 30s] }, retry_on: [timeout, connection_refused], fail_on: [auth_failure] }
            """)

    static let value = ValueSpec<ErrorPolicy>.object(spec) { reader in
        let retryOn = reader.value(ErrorPolicyKeys.retryOn)
        let failOn = reader.value(ErrorPolicyKeys.failOn)
        if let both = retryOn.first(where: failOn.contains), let location = reader.valueNode("fail_on")?.location {
            reader.context.report(
                .conflictingKeys, "`\(both)` is in both `retry_on` and `fail_on`", hint: "keep it in one list", at: location)
        }
        return ErrorPolicy(
            maxRetries: reader.value(ErrorPolicyKeys.maxRetries), retryDelay: reader.value(ErrorPolicyKeys.retryDelay),
            jitter: reader.value(ErrorPolicyKeys.jitter), retryOn: retryOn, failOn: failOn)
    }

    /// `[initial, factor, maximum]`, with `maximum` at least `initial`.
    private static var exponentialValue: ValueSpec<RetryDelay> {
        let duration = ValueSpec<Duration>.duration(.milliseconds(1) ... .seconds(3_600))
        let factor = ValueSpec<Double>.number(1...10)
        return ValueSpec<RetryDelay>(
            typeName: "`[duration, number, duration]`",
            schema: { builder in
                .object([
                    ("type", .string("array")),
                    ("prefixItems", .array([duration.schema(&builder), factor.schema(&builder), duration.schema(&builder)])),
                    ("minItems", .int(3)), ("maxItems", .int(3)),
                ])
            },
            decode: { node, context in
                guard let items = node.items, items.count == 3 else {
                    context.wrongType(node, expected: "a list `[initial, factor, maximum]` such as `[1s, 2, 30s]`")
                    return nil
                }
                guard let initial = duration.decode(items[0], context), let multiplier = factor.decode(items[1], context),
                    let maximum = duration.decode(items[2], context)
                else { return nil }
                guard maximum >= initial else {
                    context.report(.outOfRange, "the maximum delay is shorter than the initial delay", at: items[2].location)
                    return nil
                }
                return .exponential(initial: initial, factor: multiplier, maximum: maximum)
            })
    }
}

/// The keys of `circuit_breaker`.
enum CircuitBreakerKeys {
    static let failureThreshold = KeySpec<Int>.defaulted(
        "failure_threshold", .integer(1...1_000), 5, "`5`", doc: "Failures within `window` that open the circuit for the host.")
    static let successThreshold = KeySpec<Int>.defaulted(
        "success_threshold", .integer(1...1_000), 3, "`3`", doc: "Successes while half-open that close it again.")
    static let halfOpenTimeout = KeySpec<Duration>.defaulted(
        "half_open_timeout", .duration(.seconds(1) ... .seconds(86_400)), .seconds(30), "`30s`",
        doc: "How long the circuit stays open before a trial.")
    static let window = KeySpec<Duration>.defaulted(
        "window", .duration(.seconds(1) ... .seconds(86_400)), .seconds(60), "`60s`", doc: "The sliding window failures are counted in.")

    static let standard = CircuitBreakerPolicy(failureThreshold: 5, successThreshold: 3, halfOpenTimeout: .seconds(30), window: .seconds(60))

    static let spec = ObjectSpec(
        id: "CircuitBreaker", path: "services.<name>.circuit_breaker",
        doc: "When Ferry stops contacting a failing host for a while, instead of hammering it every run. One breaker per host, kept in the state directory (`circuits.json`) across runs; a host follows the settings of its first service by name. Every failed attempt to connect to the host or read its state counts, retries included.",
        keys: [failureThreshold.info, successThreshold.info, halfOpenTimeout.info, window.info],
        example: """
            circuit_breaker: { failure_threshold: 5, success_threshold: 3, half_open_timeout: 30s, window: 60s }
            """)

    static let value = ValueSpec<CircuitBreakerPolicy>.object(spec) { reader in
        CircuitBreakerPolicy(
            failureThreshold: reader.value(CircuitBreakerKeys.failureThreshold),
            successThreshold: reader.value(CircuitBreakerKeys.successThreshold),
            halfOpenTimeout: reader.value(CircuitBreakerKeys.halfOpenTimeout), window: reader.value(CircuitBreakerKeys.window))
    }
}

/// The keys of `timeouts`.
enum TimeoutKeys {
    static let connect = KeySpec<Duration>.defaulted(
        "connect", .duration(.milliseconds(100) ... .seconds(300)), .seconds(5), "`5s`",
        doc: "Opening a channel or tunnel to the service (health checks).")
        .notSupported(
            issue: 9,
            instead: "remove it: a health check is bounded by `health_check.timeout`, an SSH connection by the host's `connect_timeout`")
    static let read = KeySpec<Duration>.defaulted(
        "read", .duration(.milliseconds(100) ... .seconds(3_600)), .seconds(30), "`30s`",
        doc: "Waiting for one response or one remote command.")
    static let total = KeySpec<Duration>.defaulted(
        "total", .duration(.seconds(1) ... .seconds(86_400)), .seconds(600), "`10m`",
        doc: "One deploy of the service on one host, end to end.")
    static let idle = KeySpec<Duration>.defaulted(
        "idle", .duration(.seconds(1) ... .seconds(86_400)), .seconds(300), "`5m`",
        doc: "Closing channels and tunnels left idle.")
        .notSupported(issue: 13, instead: "remove it: nothing is left idle, a host's connection closes as soon as the run has nothing more to do there (right after its probe when nothing changes)")

    static let standard = Timeouts(connect: .seconds(5), read: .seconds(30), total: .seconds(600), idle: .seconds(300))

    static let spec = ObjectSpec(
        id: "Timeouts", path: "services.<name>.timeouts",
        doc: "Limits on the service's network steps. (Establishing the SSH connection itself is `connect_timeout` of the host.)",
        keys: [connect.info, read.info, total.info, idle.info],
        example: """
            timeouts: { read: 30s, total: 60s }
            """)

    static let value = ValueSpec<Timeouts>.object(spec) { reader in
        let timeouts = Timeouts(
            connect: reader.value(TimeoutKeys.connect), read: reader.value(TimeoutKeys.read),
            total: reader.value(TimeoutKeys.total), idle: reader.value(TimeoutKeys.idle))
        for (name, value) in [("connect", timeouts.connect), ("read", timeouts.read)] where value > timeouts.total {
            if let location = reader.valueNode(name)?.location ?? reader.valueNode("total")?.location {
                reader.context.report(
                    .outOfRange, "`\(name)` (\(DurationText.format(value))) is longer than `total` (\(DurationText.format(timeouts.total)))",
                    at: location)
            }
        }
        return timeouts
    }
}
