import ArgumentParser
import FerryCore

/// `--shard i/n`, shared by `reconcile`, `plan` and `drift`.
struct ShardOption: ParsableArguments {
    @Option(
        name: .customLong("shard"),
        help: ArgumentHelp(
            "Work only on this agent's share of the hosts: shard i of n (1/3, 2/3, 3/3), by rendezvous hashing of the host names; n agents with 1/n … n/n cover every host exactly once.",
            valueName: "i/n"))
    var shard: String?

    func validate() throws {
        guard let shard else { return }
        do { _ = try Shard(parsing: shard) } catch { throw ValidationError(error.description) }
    }

    /// The shard asked for, or the whole fleet.
    var selected: Shard { shard.flatMap { try? Shard(parsing: $0) } ?? .whole }
}
