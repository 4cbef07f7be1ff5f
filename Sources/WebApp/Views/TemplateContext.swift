import Mustache

/// A page model turned into dictionaries and arrays once, before rendering.
///
/// The Mustache library looks every name up through `Mirror`, scanning all of a value's fields on each lookup and again
/// for each level of the context stack it climbs; a group's page made thousands of such lookups and spent three
/// quarters of its time in reflection. Dictionaries answer a lookup directly.
///
/// A nil field becomes `TemplateNull`, not a missing key: the library treats a missing (or nil) name as "look further
/// out", so a row's absent country would print the page's country instead of nothing.
enum TemplateContext {
    static func tree(_ value: Any) -> Any? {
        switch value {
        case is String, is Int, is Int64, is Bool, is Double: return value
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.flatMap { Self.tree($0.value) } ?? TemplateNull()
        case .struct, .class:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                if let label = child.label, let converted = Self.tree(child.value) { fields[label] = converted }
            }
            return fields
        case .collection, .set:
            return mirror.children.compactMap { Self.tree($0.value) }
        default:
            // Dictionaries (form values and errors) are looked up by key already; enums and the rest render as themselves.
            return value
        }
    }
}

/// A nil that stops the lookup: renders as nothing, and its sections as absent.
struct TemplateNull: MustacheCustomRenderable {
    var renderText: String { "" }
    var isNull: Bool { true }
}
