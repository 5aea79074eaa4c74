import Foundation

/// Runs `body` with `posix_spawn` attributes that give the child what an SSH session gets from
/// sshd: default handling of every signal and an empty signal mask. The spawning thread may
/// have signals blocked (a dispatch worker does); without these a service the child starts
/// would inherit that and could not be stopped with SIGTERM.
public func withSessionSpawnAttributes<Result>(_ body: (inout posix_spawnattr_t) throws -> Result) rethrows -> Result {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var allSignals = sigset_t(), noSignals = sigset_t()
    sigfillset(&allSignals)
    sigemptyset(&noSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    return try body(&attributes)
}
