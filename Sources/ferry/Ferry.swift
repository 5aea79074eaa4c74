import FerryCLI

/// The `ferry` executable: everything lives in `FerryCLI`.
@main
enum Ferry {
    static func main() async {
        await FerryCommand.main()
    }
}
