import ArgumentParser
import Foundation

extension FerryCommand {
    /// Parses the command line and runs the command, as ArgumentParser's own `main()` does; a
    /// usage error (exit 64) of a command line that asks for `--json` also prints the
    /// `ferry.error/v1` document on standard output, so scripts reading JSON get JSON.
    public static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == 64, arguments.contains("--json") {
                print(JSONErrorReport.document(error: fullMessage(for: error), exitCode: code.rawValue).serialized())
            }
            exit(withError: error)
        }
    }
}
