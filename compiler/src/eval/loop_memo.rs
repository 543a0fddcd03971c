//! A declaration's body in a `for`, evaluated once per distinct key: the
//! values of the parts that read the loop's variables plainly. In
//!
//! ```fleet
//! for i in range(10000) {
//!   cluster "${envs[i % 3]}-${i}": Cluster {
//!     region = regions[(i / 3) % 3]
//!     node_groups = [{ name = "apps", min = 2 + i % 4, max = 50 }]
//!   }
//! }
//! ```
//!
//! the body reads `i` only through `(i / 3) % 3` and `2 + i % 4`: twelve keys,
//! so twelve bodies are evaluated and ten thousand clusters share them. A
//! shared body is also checked once (`checked_declaration` goes through
//! `shared_check`): the clusters differ only in their names.
//!
//! The key is found by `memo_key` (`compiled.rs`), which evaluates only the
//! arithmetic on loop variables (`i`, `i % 3`) and the conditions of `if`s,
//! each text once (a condition written three times is evaluated once); the
//! rest of the body is a function of those and of what does not depend on the
//! loop. A body that reads a loop variable through a part the compiled form leaves
//! to the tree walker (a call, a selector) has no key and is evaluated in
//! every iteration, as is a body whose key parts report something (they are
//! evaluated again with the body, which reports it in that iteration), and a
//! body whose evaluation reported something is not remembered. A body whose
//! every iteration has its own key (`image = "registry/app-${j}"`) stops
//! being remembered after `GIVE_UP` of them.

use super::Evaluator;
use super::compiled::{Compiled, MemoKey};
use super::scope::Scope;
use super::value::Value;
use crate::source::FileId;
use crate::syntax::SyntaxNode;
use rustc_hash::FxHashMap;

/// Remembering a body stops once this many of its keys were met for the
/// first time, unless more iterations than that found a body remembered. A
/// chunk of declarations (`chunks.rs`) has its own evaluator, so its own
/// memo: W(10,000)'s apps (every key new) stop after 64 of a chunk's 256.
const GIVE_UP: u32 = 64;

/// The bodies of one declaration in a loop, by key.
#[derive(Default)]
pub(super) struct BodyMemo {
    /// The bodies of keys met twice. A body is kept from its key's second
    /// iteration on: a body kept is shared, so checking it copies what
    /// checking a body of its own changes in place, which a key met once would
    /// pay for nothing.
    bodies: FxHashMap<Vec<Value>, Value>,
    /// The hashes of the keys met so far.
    met: rustc_hash::FxHashSet<u64>,
    hits: u32,
    misses: u32,
    /// Keys seldom repeat: no more are looked for. What `bodies` holds is kept,
    /// as `shared_values` names it by address.
    given_up: bool,
}

impl Evaluator<'_> {
    /// The value of `compiled`, the body `node` of a declaration in a loop,
    /// as an earlier iteration with the same key found it (see the module).
    pub(super) fn run_body(
        &self,
        compiled: &Compiled,
        node: SyntaxNode<'_>,
        scope: &Scope,
    ) -> Value {
        let at: (FileId, u32) = (scope.file_id, node.id());
        let given_up = || {
            self.body_memos
                .borrow()
                .get(&at)
                .is_some_and(|memo| memo.given_up)
        };
        // A body left to the tree walker as a whole has no key either.
        if !compiled.has_key() || given_up() {
            return self.run_or_walk(compiled, node, scope);
        }
        let before = self.diagnostics.borrow().len();
        let mut key = MemoKey::default();
        let found = self.memo_key(compiled, node, scope, &mut key);
        let key = key.values;
        if !found || self.diagnostics.borrow().len() > before {
            // Reported again by the body itself, in this iteration.
            self.diagnostics.borrow_mut().truncate(before);
            return self.run(compiled, node, scope);
        }
        let hash = {
            use std::hash::{BuildHasher, BuildHasherDefault};
            BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(&key)
        };
        let met_before = {
            let mut memos = self.body_memos.borrow_mut();
            let memo = memos.entry(at).or_default();
            if let Some(body) = memo.bodies.get(&key) {
                memo.hits += 1;
                return body.clone();
            }
            !memo.met.insert(hash)
        };
        let body = self.run(compiled, node, scope);
        let clean = self.diagnostics.borrow().len() == before;
        let mut memos = self.body_memos.borrow_mut();
        let memo = memos.entry(at).or_default();
        if met_before && clean {
            // Kept alive by `body_memos`.
            self.share(&body);
            memo.bodies.insert(key, body.clone());
        } else if !met_before {
            memo.misses += 1;
            memo.given_up = memo.misses >= GIVE_UP && memo.hits < memo.misses;
        }
        body
    }
}
