//! Writes W(n) to a folder, to look at or to run `fleet` on:
//! `cargo run --release -p fleet-bench --example workload -- 10000 compact /tmp/w`.

use fleet_bench::{Form, generate};

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: workload <n> <compact|explicit> <folder>";
    let n: usize = args.next().and_then(|n| n.parse().ok()).expect(usage);
    let form = match args.next().as_deref() {
        Some("compact") => Form::Compact,
        Some("explicit") => Form::Explicit,
        _ => panic!("{usage}"),
    };
    let folder = std::path::PathBuf::from(args.next().expect(usage));
    std::fs::create_dir_all(&folder).expect("create the folder");
    std::fs::write(folder.join("fleet.fleet"), generate(n, form)).expect("write fleet.fleet");
}
