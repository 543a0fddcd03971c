//! How fast the machine is while a benchmark runs: the same fixed loop timed
//! on one core, then on every core at once. On a virtual machine whose host
//! lends its cores out, a fixed loop has run up to 2.3 times slower from one
//! minute to the next (this project's 2-core machine), and two copies at once
//! each slower than one alone; printed beside a benchmark's figures, it tells
//! a slower `fleet` from a slower machine.

use std::time::{Duration, Instant};

/// The loop's times: alone, and the slowest of one copy per core at once.
#[derive(Clone, Copy, Debug)]
pub struct Speed {
    pub one_core: Duration,
    pub every_core: Duration,
    pub cores: usize,
}

impl Speed {
    pub fn measure() -> Speed {
        let cores = std::thread::available_parallelism().map_or(1, |count| count.get());
        let one_core = fixed_loop();
        let every_core = std::thread::scope(|scope| {
            let copies: Vec<_> = (0..cores).map(|_| scope.spawn(fixed_loop)).collect();
            copies
                .into_iter()
                .map(|copy| copy.join().expect("the loop does not panic"))
                .max()
                .unwrap_or_default()
        });
        Speed {
            one_core,
            every_core,
            cores,
        }
    }
}

impl std::fmt::Display for Speed {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "a fixed loop took {:.0} ms on one core, {:.0} ms on each of {} cores at once",
            self.one_core.as_secs_f64() * 1e3,
            self.every_core.as_secs_f64() * 1e3,
            self.cores
        )
    }
}

/// 60 million dependent steps of a xorshift generator: about 150 ms on one
/// core of this project's machine when nothing else takes it.
fn fixed_loop() -> Duration {
    let start = Instant::now();
    let mut state: u64 = std::hint::black_box(0x9E37_79B9_7F4A_7C15);
    for _ in 0..60_000_000u32 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
    }
    std::hint::black_box(state);
    start.elapsed()
}
