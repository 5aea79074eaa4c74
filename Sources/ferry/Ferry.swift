import FerryCLI
#if canImport(Glibc)
import Glibc
#endif

/// The `ferry` executable: everything lives in `FerryCLI`.
@main
enum Ferry {
    static func main() async {
        limitMallocArenas()
        await FerryCommand.main()
    }

    /// glibc gives each thread that allocates an arena of its own, up to 8 per core; a run's
    /// threads (one per open SSH connection, the cooperative pool, libgit2's) then leave freed
    /// memory scattered over many arenas, which the process keeps. Two arenas are enough for
    /// a run's few concurrent allocators and keep the peak RSS lower (see docs/scaling.md).
    /// `MALLOC_ARENA_MAX` in the environment still decides when it is set.
    static func limitMallocArenas() {
        #if canImport(Glibc)
        // <malloc.h> is not part of the Glibc module: mallopt is looked up by name.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let arenaMax: Int32 = -8  // M_ARENA_MAX
        guard getenv("MALLOC_ARENA_MAX") == nil, let process = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(process, "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, 2)
        #endif
    }
}
