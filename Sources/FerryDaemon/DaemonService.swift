import ServiceLifecycle

// This file imports swift-service-lifecycle alone: FerryConfig has a `Service` (a config
// service) and FerryCore a `ServiceLifecycle` (a service's lifecycle), which would hide the
// protocol and the module's name in a file that imports them too.

/// A long-running part of the daemon (swift-service-lifecycle's `Service`): the reconcile loop,
/// the HTTP listener, and whatever else the caller adds (the services' health loop). Its
/// `run()` returns once the daemon shuts down gracefully (see `withGracefulShutdownHandler`).
public typealias DaemonService = ServiceLifecycle.Service
