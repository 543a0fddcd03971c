use fleet_bench::*;
#[test]
fn show() {
    std::fs::write("/tmp/w_explicit.fleet", generate(10, Form::Explicit)).unwrap();
    std::fs::write("/tmp/w_compact.fleet", generate(10, Form::Compact)).unwrap();
    for (name, text) in generate_files(10, Form::Compact, 3) {
        std::fs::write(format!("/tmp/wc_{name}"), text).unwrap();
    }
    for (name, text) in generate_files(10, Form::Explicit, 3) {
        std::fs::write(format!("/tmp/we_{name}"), text).unwrap();
    }
}
