/// Ferry's own version, printed by `ferry version` and recorded in the audit log.
public enum FerryVersion {
    /// The release of this build.
    public static let current = "0.2.0"
}
