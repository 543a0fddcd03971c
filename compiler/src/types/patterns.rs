//! The patterns of constrained strings (`String(pattern = "^[a-z]+$")`),
//! compiled once per thread and kept: every string of a constrained type is
//! matched, in every iteration of a loop, and every evaluation (a large file's
//! is several, one per chunk) lowers the types that name them. The cache is a
//! thread's own, so a lookup takes no lock.

use std::cell::RefCell;

thread_local! {
    static COMPILED: RefCell<rustc_hash::FxHashMap<Box<str>, Result<regex::Regex, String>>> =
        RefCell::default();
}

fn with_compiled<T>(pattern: &str, use_it: impl FnOnce(&Result<regex::Regex, String>) -> T) -> T {
    COMPILED.with(|compiled| {
        if let Some(found) = compiled.borrow().get(pattern) {
            return use_it(found);
        }
        let made = regex::Regex::new(pattern).map_err(|error| error.to_string());
        let result = use_it(&made);
        compiled.borrow_mut().insert(pattern.into(), made);
        result
    })
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
