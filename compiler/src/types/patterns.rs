//! The patterns of constrained strings (`String(pattern = "^[a-z]+$")`),
//! compiled once per process and kept: every string of a constrained type is
//! matched, in every iteration of a loop, and every evaluation (a large file's
//! is several, one per chunk, each on a thread of its own) lowers the types
//! that name them. Compiling a pattern costs more than matching thousands of
//! strings, so the threads share what is compiled; each thread keeps its own
//! copy of the handles (a `Regex` clone shares the compiled program), so a
//! lookup takes no lock after the first.

use regex::Regex;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock};

/// A pattern compiled, or why it does not compile.
type Compiled = Arc<Result<Regex, String>>;

/// Every pattern any thread compiled.
fn shared() -> &'static Mutex<FxHashMap<Box<str>, Compiled>> {
    static SHARED: OnceLock<Mutex<FxHashMap<Box<str>, Compiled>>> = OnceLock::new();
    SHARED.get_or_init(Mutex::default)
}

thread_local! {
    static KNOWN: RefCell<FxHashMap<Box<str>, Compiled>> = RefCell::default();
}

fn with_compiled<T>(pattern: &str, use_it: impl FnOnce(&Result<Regex, String>) -> T) -> T {
    let known = KNOWN.with(|known| known.borrow().get(pattern).cloned());
    let compiled = known.unwrap_or_else(|| {
        // A poisoned lock only means another thread panicked while holding it;
        // the map is still whole (an insert either happened or did not).
        let mut shared = shared()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let compiled = shared
            .entry(pattern.into())
            .or_insert_with(|| Arc::new(Regex::new(pattern).map_err(|error| error.to_string())))
            .clone();
        drop(shared);
        KNOWN.with(|known| known.borrow_mut().insert(pattern.into(), compiled.clone()));
        compiled
    });
    use_it(&compiled)
}

/// Why `pattern` is not a valid regular expression, if it is not.
pub fn invalid(pattern: &str) -> Option<String> {
    with_compiled(pattern, |compiled| compiled.as_ref().err().cloned())
}

/// Whether `text` matches `pattern` (an invalid pattern, reported where it is
/// written, matches everything).
pub fn matches(pattern: &str, text: &str) -> bool {
    with_compiled(pattern, |compiled| {
        compiled.as_ref().map_or(true, |regex| regex.is_match(text))
    })
}
