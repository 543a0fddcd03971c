//! What parser rules return: a handle to a finished node or a consumed token of
//! the tree under construction (see `tree::TreeSink`). Handles are plain numbers,
//! so nom combinators move them around for free.
//!
//! **Invariant:** a handle a rule returns is pushed into the caller's node before
//! the caller consumes another token; the tree keeps elements in the order they are
//! pushed, and the lossless tests over every fixture check it.

/// A token (its raw index, with `TOKEN_BIT`) or a node (its id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Green(pub(crate) u32);

pub(crate) const TOKEN_BIT: u32 = 1 << 31;
/// Set with `TOKEN_BIT` on tokens the parser skips (trivia, unknown characters), so
/// the tree builder tells them apart without looking their kind up.
pub(crate) const SKIPPED_BIT: u32 = 1 << 30;
/// The raw token index in a token handle. Token indices stay below 2^30: files
/// are at most 1 GiB (`source::MAX_FILE_SIZE`) and every token takes a byte.
pub(crate) const TOKEN_INDEX: u32 = !(TOKEN_BIT | SKIPPED_BIT);

impl Green {
    pub(crate) fn token(raw: u32) -> Green {
        Green(raw | TOKEN_BIT)
    }

    pub(crate) fn node(id: u32) -> Green {
        Green(id)
    }
}
