use pulldown_latex::{Parser, Storage};
fn main() {
    for input in std::env::args().skip(1) {
        let storage = Storage::new();
        let events: Vec<_> = Parser::new(&input, &storage).collect();
        println!("{input}\n  {events:?}");
    }
}
