// ANCHOR: helper
fn helper() -> u32 {
    // ANCHOR: inner
    41 + 1
    // ANCHOR_END: inner
}
// ANCHOR_END: helper

// ANCHOR: main
fn main() {
    println!("{}", helper());
}
// ANCHOR_END: main
