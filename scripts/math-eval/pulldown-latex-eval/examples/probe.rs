//! Prints the pulldown-latex events of each argument: how the crate reads a formula (the
//! evaluation in ARCHITECTURE.md, "Mathematics", and the quirks mended in crate::math).
use pulldown_latex::{Parser, Storage};
fn main() {
    for input in std::env::args().skip(1) {
        let storage = Storage::new();
        let events: Vec<_> = Parser::new(&input, &storage).collect();
        println!("{input}\n  {events:?}");
    }
}
