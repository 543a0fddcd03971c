//! The patterns of constrained strings (`String(pattern = "^[a-z]+$")`),
//! compiled once per process and kept: every string of a constrained type is
//! matched, in every iteration of a loop, and every evaluation (a large file's
//! is several, one per chunk, each on a thread of its own) lowers the types
//! that name them. Compiling a pattern costs more than matching thousands of
//! strings, so the threads share what is compiled, and a lowered type holds
//! its pattern compiled (`Pattern`).

use regex::Regex;
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A pattern compiled, or why it does not compile.
type Compiled = Arc<Result<Regex, String>>;

/// `pattern` compiled, by this thread or another one before.
fn compiled(pattern: &str) -> Compiled {
    static SHARED: OnceLock<Mutex<FxHashMap<Box<str>, Compiled>>> = OnceLock::new();
    // A poisoned lock only means another thread panicked while holding it;
    // the map is still whole (an insert either happened or did not).
    let mut shared = SHARED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    shared
        .entry(pattern.into())
        .or_insert_with(|| Arc::new(Regex::new(pattern).map_err(|error| error.to_string())))
        .clone()
}

/// A constrained string type's pattern with its compiled form, found once,
/// when the type is lowered: matching a string then takes no lookup (a lookup
/// by the pattern's text at every match was 2% of checking W(10,000)'s apps).
/// Only a pattern that compiles is one. Compared, hashed and shown by its text.
#[derive(Clone)]
pub struct Pattern {
    text: Arc<str>,
    compiled: Compiled,
}

impl Pattern {
    /// `text` as a pattern, compiled (or found compiled); `Err` with why it is
    /// not a valid regular expression.
    pub fn new(text: &str) -> Result<Pattern, String> {
        let compiled = compiled(text);
        match compiled.as_ref() {
            Ok(_) => Ok(Pattern {
                text: Arc::from(text),
                compiled,
            }),
            Err(error) => Err(error.clone()),
        }
    }

    /// Whether `text` matches the pattern.
    pub fn matches(&self, text: &str) -> bool {
        // Always compiled (see `new`).
        self.compiled
            .as_ref()
            .as_ref()
            .is_ok_and(|regex| regex.is_match(text))
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}

impl Eq for Pattern {}

impl std::hash::Hash for Pattern {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.text, formatter)
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.text)
    }
}
