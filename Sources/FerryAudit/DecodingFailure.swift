/// A one-line reason why a line is not an audit record, without the coding path noise.
enum DecodingFailure {
    /// Describes `error` from decoding a record line.
    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound(let key, _):
            return "the field \"\(key.stringValue)\" is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return field.isEmpty ? "it is not a JSON object" : "the field \"\(field)\" has the wrong type"
        case .dataCorrupted(let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return field.isEmpty ? "it is not valid JSON" : "the field \"\(field)\": \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
