/// Receives the ``ProgressEvent``s of a reconcile. The engine emits every event through the
/// sink of the current task (``ProgressEvents/current``), from any of its concurrent tasks:
/// an implementation must be safe to call concurrently and must not block (buffer, then write).
public protocol ProgressSink: Sendable {
    /// Takes one event.
    func receive(_ event: ProgressEvent)
}

/// Every sink of a list, in order: the CLI's progress view, its logger and the metrics each get every event.
public struct ProgressFanOut: ProgressSink {
    /// The sinks.
    public let sinks: [any ProgressSink]

    /// A sink that passes each event to every one of `sinks`.
    public init(_ sinks: [any ProgressSink]) {
        self.sinks = sinks
    }

    public func receive(_ event: ProgressEvent) {
        for sink in sinks { sink.receive(event) }
    }
}

/// Where the engine's events go: the sink bound for the current task and its child tasks.
///
///     try await ProgressEvents.$current.withValue(mySink) {
///         try await Reconciler(request: request).runOnce()
///     }
public enum ProgressEvents {
    /// The sink of the current task; nil: events are dropped.
    @TaskLocal public static var current: (any ProgressSink)?

    /// Passes `event` to the current task's sink, if any.
    static func emit(_ event: ProgressEvent) {
        current?.receive(event)
    }

    /// Emits `step` of `host` (and `service`, for deploy steps).
    static func emit(_ step: ProgressStep, host: String, service: String? = nil) {
        current?.receive(.step(host: host, service: service, step))
    }
}
