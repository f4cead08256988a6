//! From a grammar's scope names (TextMate's, as syntect reports them: `keyword.control.rust`,
//! `string.quoted.double.python`) to octavo's token classes.

use crate::doc::TokenClass;

/// What a scope says about its text: a class, "ask the enclosing scope" (`None`), or a
/// quote or bracket that belongs to what it delimits (`Delimiter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// The text is of this class.
    Class(TokenClass),
    /// Punctuation that delimits something (a string's quotes): the enclosing scope's class,
    /// or punctuation when none has one.
    Delimiter,
    /// Nothing: the enclosing scope decides.
    Nothing,
}

/// The meaning of one scope name.
pub(crate) fn meaning(scope: &str) -> Meaning {
    let mut atoms = scope.split('.');
    let first = atoms.next().unwrap_or_default();
    let second = atoms.next().unwrap_or_default();
    let third = atoms.next().unwrap_or_default();
    let class = match (first, second) {
        ("comment", _) => TokenClass::Comment,
        ("string", _) | ("constant", "character") => TokenClass::String,
        ("constant", "numeric") => TokenClass::Number,
        ("constant", _) | ("support", "constant") => TokenClass::Constant,
        ("keyword", "operator") => TokenClass::Operator,
        // `storage.type` is both `fn` and `int`: a keyword in most languages' eyes.
        ("keyword", _) | ("storage", _) => TokenClass::Keyword,
        ("entity", "name") => entity_name(third),
        ("entity", "other") if third == "attribute-name" => TokenClass::Attribute,
        ("entity", "other") => TokenClass::Type,
        ("support", "function") | ("support", "macro") | ("variable", "function") => {
            TokenClass::Function
        }
        ("support", "type") | ("support", "class") => TokenClass::Type,
        ("meta", "annotation") | ("meta", "attribute") => TokenClass::Attribute,
        ("variable", "language") => TokenClass::Keyword,
        ("variable", _) => TokenClass::Variable,
        ("punctuation", "definition") => return Meaning::Delimiter,
        ("punctuation", _) => TokenClass::Punctuation,
        ("markup", "heading") => TokenClass::Heading,
        ("markup", "inserted") => TokenClass::Inserted,
        ("markup", "deleted") => TokenClass::Deleted,
        _ => return Meaning::Nothing,
    };
    Meaning::Class(class)
}

/// `entity.name.*`: what a definition names.
fn entity_name(kind: &str) -> TokenClass {
    match kind {
        "function" | "macro" => TokenClass::Function,
        "tag" => TokenClass::Tag,
        "section" => TokenClass::Heading,
        "constant" => TokenClass::Constant,
        _ => TokenClass::Type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_map_to_classes() {
        let class = |s| match meaning(s) {
            Meaning::Class(c) => Some(c),
            _ => None,
        };
        assert_eq!(class("keyword.control.rust"), Some(TokenClass::Keyword));
        assert_eq!(
            class("keyword.operator.arithmetic.rust"),
            Some(TokenClass::Operator)
        );
        assert_eq!(
            class("storage.type.function.rust"),
            Some(TokenClass::Keyword)
        );
        assert_eq!(class("support.type.rust"), Some(TokenClass::Type));
        assert_eq!(class("string.quoted.double.rust"), Some(TokenClass::String));
        assert_eq!(
            class("comment.line.double-slash.rust"),
            Some(TokenClass::Comment)
        );
        assert_eq!(
            class("entity.name.function.rust"),
            Some(TokenClass::Function)
        );
        assert_eq!(
            meaning("punctuation.definition.string.begin.rust"),
            Meaning::Delimiter
        );
        assert_eq!(meaning("source.rust"), Meaning::Nothing);
    }
}
