import FerryConfig
import Foundation

/// Where `ferry render` reads the config: a directory (`--config DIR`), or the agent's
/// clone of the config repository at the commit the last reconcile fetched.
public enum RenderConfiguration {
    /// The config in the directory `path`; every error, as `file:line:column: error: …`, in the thrown message.
    public static func directory(_ path: String) throws -> FerryConfiguration {
        let source: DirectoryConfigSource
        do {
            source = try DirectoryConfigSource(root: path)
        } catch {
            throw RenderError("cannot read the config in \(path): \(error)")
        }
        return try loaded(ConfigLoader(source: source).load(), from: path)
    }

    /// The config at `origin/<branch>` in the agent's clone (`<state>/repo`).
    public static func agentClone(_ settings: AgentSettings) async throws -> FerryConfiguration {
        let state = StateDirectory(root: URL(fileURLWithPath: settings.stateDirectory))
        switch await AgentClone.lookupInBackground(in: state, branch: settings.branch) {
        case .missing:
            throw RenderError("no reconcile has cloned the config repository into \(state.repositoryURL.path) yet; run `ferry reconcile --once`, or give --config DIR")
        case .unusable(let reason):
            throw RenderError(reason)
        case .found(let clone):
            guard let configuration = clone.configuration else {
                throw RenderError(clone.configProblem ?? "the config at \(clone.head.short) is invalid")
            }
            return configuration
        }
    }

    private static func loaded(_ result: ConfigLoadResult, from path: String) throws -> FerryConfiguration {
        guard let configuration = result.configuration else {
            throw RenderError("the config in \(path) is invalid:\n" + result.errors.map { "  \($0)" }.joined(separator: "\n"))
        }
        return configuration
    }
}
