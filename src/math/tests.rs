use super::*;

fn plain() -> Macros {
    Macros::new([]).0
}

#[test]
fn unknown_command_is_located_at_its_backslash() {
    let source = r"a + \frac{1}{2} + \foo{x}";
    let error = check(source, &plain()).unwrap_err();
    assert_eq!(&source[error.range.clone()], r"\foo");
    assert!(error.unknown_command);
    assert!(error.message.contains(r"\foo"), "{}", error.message);
}

#[test]
fn a_label_inside_a_formula_points_to_the_markdown_label() {
    let error = check("a = b \\label{eq:one}", &plain()).expect_err("no \\label");
    assert_eq!(error.range, 6..12);
    assert!(error.hint.contains("{#eq-name}"), "{}", error.hint);
    let error = check("\\eqref{eq:one}", &plain()).expect_err("no \\eqref");
    assert!(error.hint.contains("@eq-name"), "{}", error.hint);
}

#[test]
fn mbox_and_book_macros_are_defined() {
    let (macros, errors) = Macros::new([("R", r"\mathbb{R}"), ("norm", r"\left| #1 \right|")]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(check(r"\mbox{if} x \in \R, \norm{x}", &macros).is_ok());
    assert!(check(r"\R", &plain()).is_err());
}

#[test]
fn a_bad_macro_is_refused_by_name() {
    let (_, errors) = Macros::new([("bad", r"\frac{"), ("1x", "x")]);
    let names: Vec<&str> = errors.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["1x", "bad"]);
}

#[test]
fn mathml_carries_the_source_and_the_display_flag() {
    let mathml = to_mathml(r"x^2 < 1", true, &plain());
    assert!(
        mathml.starts_with(r#"<math alttext="x^2 &lt; 1""#),
        "{mathml}"
    );
    assert!(mathml.contains(r#"display="block""#), "{mathml}");
    assert!(mathml.contains("xmlns=\"http://www.w3.org/1998/Math/MathML\""));
}

#[test]
fn structure_error_names_the_formula() {
    let error = check(r"\frac{1}{", &plain()).unwrap_err();
    assert!(!error.unknown_command);
    assert_eq!(error.range, 0..9);
}

#[test]
fn tree_folds_scripts_and_fractions() {
    use tree::{Class, Node};
    let nodes = tree::parse(r"\frac{a}{b}^2 + x_i", &plain()).expect("reads");
    assert!(
        matches!(&nodes[0], Node::Scripts { base, .. } if matches!(**base, Node::Fraction { .. }))
    );
    assert!(matches!(
        nodes[1],
        Node::Char {
            ch: '+',
            class: Class::Bin,
            ..
        }
    ));
    let Node::Scripts { base, sub, .. } = &nodes[2] else {
        panic!("{nodes:?}");
    };
    assert!(matches!(**base, Node::Char { ch: '𝑥', .. }));
    assert!(sub.is_some());
}

#[test]
fn environments_become_tables() {
    use tree::{Node, TableKind};
    let nodes =
        tree::parse(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", &plain()).expect("reads");
    let table = nodes.iter().find_map(|n| match n {
        Node::Table { kind, rows } => Some((kind, rows)),
        Node::Fenced { body, .. } => body.iter().find_map(|n| match n {
            Node::Table { kind, rows } => Some((kind, rows)),
            _ => None,
        }),
        _ => None,
    });
    let (kind, rows) = table.expect("a table");
    assert_eq!(*kind, TableKind::Matrix);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].len(), 2);
}

#[test]
fn a_function_with_a_subscript_keeps_its_name_as_the_base() {
    let mathml = to_mathml(r"10 \log_{10}(n)", false, &plain());
    assert!(mathml.contains("<msub><mi>log</mi>"), "{mathml}");
}

#[test]
fn a_formula_may_open_with_a_script() {
    assert!(to_mathml("_s", false, &plain()).contains("<msub><mrow></mrow>"));
}

#[test]
fn macros_that_use_themselves_are_refused() {
    let (macros, errors) = Macros::new([
        ("a", r"\b"),
        ("b", r"\a + 1"),
        ("c", r"\c"),
        ("d", r"\e"),
        ("e", "x"),
    ]);
    let names: Vec<&str> = errors.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert!(check(r"\d", &macros).is_ok());
}

#[test]
fn a_formula_nested_too_deeply_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}x", r"\sqrt".repeat(20_000));
    let error = check(&deep, &plain()).unwrap_err();
    assert!(error.message.contains("nested"), "{}", error.message);
    assert!(tree::parse(&deep, &plain()).is_none());
    assert!(to_mathml(&deep, false, &plain()).contains("<mtext>"));
}
