//! Rule outcomes remembered by what the rule read. Two thousand apps built
//! from one template give Pods that differ in their names, labels and images
//! and agree on everything else, and most rules read only the rest
//! (`securityContext`, `resources`, `hostNetwork`): evaluating each of those
//! rules on each Pod was most of the admission check, in the `cel` crate's
//! interpreter.
//!
//! A rule's evaluation learns about its object only through the views of
//! `cel_document`, which note every read ([`Reads`]). Its outcome is a function
//! of what those reads returned (the rule and the policy's `params` fixed, the
//! crate deterministic). So once a rule has run on one object, another object
//! on which every one of those reads returns the same thing gives the same
//! outcome: the evaluation on it would make the same first read, get the same
//! answer, make the same second read, and so on to the end (decision 016).
//! [`Trace`] is those reads by path from the object's root, with their answers;
//! [`RuleMemo`] keeps a few traces per rule, with the outcome, and replays them
//! on the next object before the rule is evaluated.
//!
//! Only holding and failing are remembered (an error's text is made from what
//! it read, and is rare). A rule whose traces keep missing (one that reads the
//! image or the app's name) stops being traced.

use crate::emit::document::{Key, Node};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a rule read of a node.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Read {
    /// Its view was made: a scalar's value, a container's kind, a sequence's
    /// length.
    Shape,
    /// Whether the mapping has this key (its value, when it has, is read as
    /// its own node).
    Key(Box<str>),
    /// The mapping's keys, in order.
    Keys,
    /// The number of entries or elements.
    Len,
    /// All of it (compared whole, or shown).
    Whole,
}

/// The reads of one evaluation, by the address of the node read: the nodes of
/// the object and of the policy's `params` (which the memo ignores: they are
/// the same for every evaluation of the rule).
#[derive(Default)]
pub struct Reads {
    /// Whether reads are noted: every view asks, most evaluations are not
    /// traced.
    noting: AtomicBool,
    noted: Mutex<Vec<(usize, Read)>>,
}

impl Reads {
    /// Notes the read `read()` of `node`, when noting.
    pub fn note(&self, node: &Node, read: impl FnOnce() -> Read) {
        if self.noting.load(Ordering::Relaxed) {
            self.noted
                .lock()
                .unwrap_or_else(|poison| poison.into_inner())
                .push((std::ptr::from_ref(node) as usize, read()));
        }
    }

    /// Starts noting (what was noted before is dropped); with `on` false, stops.
    pub fn start(&self, on: bool) {
        self.noted
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .clear();
        self.noting.store(on, Ordering::Relaxed);
    }

    /// What was noted since `start`, and stops noting.
    fn take(&self) -> Vec<(usize, Read)> {
        self.noting.store(false, Ordering::Relaxed);
        std::mem::take(
            &mut *self
                .noted
                .lock()
                .unwrap_or_else(|poison| poison.into_inner()),
        )
    }
}

/// One step from a node to a child.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(Key),
    Index(usize),
}

/// What a read returned, as it can be compared on another object.
#[derive(Clone, Debug, PartialEq)]
enum Answer {
    /// A scalar, whole.
    Scalar(Node),
    Map,
    Seq(usize),
    Has(Box<str>, bool),
    Keys(Vec<Key>),
    Len(usize),
    Whole(Node),
}

impl Answer {
    /// The answer `read` of `node` gives.
    fn of(node: &Node, read: &Read) -> Answer {
        match read {
            Read::Shape => match node {
                Node::Map(_) => Answer::Map,
                Node::Seq(items) => Answer::Seq(items.len()),
                scalar => Answer::Scalar(scalar.clone()),
            },
            Read::Key(key) => Answer::Has(key.clone(), node.get(key).is_some()),
            Read::Keys => Answer::Keys(match node {
                Node::Map(entries) => entries.iter().map(|(key, _)| key.clone()).collect(),
                _ => Vec::new(),
            }),
            Read::Len => Answer::Len(match node {
                Node::Map(entries) => entries.len(),
                Node::Seq(items) => items.len(),
                _ => 0,
            }),
            Read::Whole => Answer::Whole(node.clone()),
        }
    }

    /// Whether `node` gives this answer.
    fn holds_for(&self, node: &Node) -> bool {
        match (self, node) {
            (Answer::Scalar(scalar), node) => scalar == node,
            (Answer::Map, Node::Map(_)) => true,
            (Answer::Seq(len), Node::Seq(items)) => items.len() == *len,
            (Answer::Has(key, has), node) => {
                matches!(node, Node::Map(_)) && node.get(key).is_some() == *has
            }
            (Answer::Keys(keys), Node::Map(entries)) => {
                entries.len() == keys.len()
                    && entries
                        .iter()
                        .zip(keys)
                        .all(|((key, _), known)| key == known)
            }
            (Answer::Len(len), Node::Map(entries)) => entries.len() == *len,
            (Answer::Len(len), Node::Seq(items)) => items.len() == *len,
            (Answer::Whole(whole), node) => whole == node,
            _ => false,
        }
    }
}

/// The reads of one evaluation, by path from the object's root, with what
/// each returned.
#[derive(Debug)]
pub struct Trace {
    answers: Vec<(Vec<Step>, Answer)>,
}

impl Trace {
    /// The reads noted in `reads` while a rule ran on `object`. The root's
    /// shape is part of it: its view was made before the rule ran.
    pub fn of(object: &Node, reads: &Reads) -> Trace {
        let mut noted = reads.take();
        noted.sort_unstable();
        noted.dedup();
        let mut paths = HashMap::new();
        paths_of(object, &mut Vec::new(), &mut paths);
        let mut answers = vec![(Vec::new(), Answer::of(object, &Read::Shape))];
        for (address, read) in noted {
            // Not in the object: a node of the params.
            if let Some((path, node)) = paths.get(&address) {
                answers.push((path.clone(), Answer::of(node, &read)));
            }
        }
        Trace { answers }
    }

    /// Whether every read returns on `object` what it returned when traced.
    fn holds_for(&self, object: &Node) -> bool {
        self.answers
            .iter()
            .all(|(path, answer)| node_at(object, path).is_some_and(|node| answer.holds_for(node)))
    }
}

/// Every node under `node` (itself included) by address, with its path.
fn paths_of<'n>(
    node: &'n Node,
    path: &mut Vec<Step>,
    paths: &mut HashMap<usize, (Vec<Step>, &'n Node)>,
) {
    paths.insert(std::ptr::from_ref(node) as usize, (path.clone(), node));
    match node {
        Node::Map(entries) => {
            for (key, value) in entries {
                path.push(Step::Key(key.clone()));
                paths_of(value, path, paths);
                path.pop();
            }
        }
        Node::Seq(items) => {
            for (position, item) in items.iter().enumerate() {
                path.push(Step::Index(position));
                paths_of(item, path, paths);
                path.pop();
            }
        }
        _ => {}
    }
}

fn node_at<'n>(root: &'n Node, path: &[Step]) -> Option<&'n Node> {
    path.iter().try_fold(root, |node, step| match (step, node) {
        (Step::Key(key), node) => node.get(key),
        (Step::Index(position), Node::Seq(items)) => items.get(*position),
        _ => None,
    })
}

/// How many traces a rule keeps.
const TRACES_PER_RULE: usize = 8;

/// After this many evaluations with fewer hits than evaluations, a rule is no
/// longer traced: its objects differ in what it reads.
const GIVE_UP: usize = 16;

/// The remembered outcomes of the rules, by (policy, rule) position.
#[derive(Default)]
pub struct RuleMemo {
    rules: HashMap<(usize, usize), Remembered>,
}

#[derive(Default)]
struct Remembered {
    traces: Vec<(Trace, bool)>,
    hits: usize,
    evaluated: usize,
}

impl Remembered {
    /// Its objects differ in what it reads: neither traced nor recalled.
    fn given_up(&self) -> bool {
        self.evaluated >= GIVE_UP && self.hits < self.evaluated
    }
}

impl RuleMemo {
    /// The outcome of `rule` on `object`, if a trace of it holds there.
    pub fn recall(&mut self, rule: (usize, usize), object: &Node) -> Option<bool> {
        let remembered = self.rules.get_mut(&rule)?;
        if remembered.given_up() {
            return None;
        }
        let holds = remembered
            .traces
            .iter()
            .find(|(trace, _)| trace.holds_for(object))
            .map(|(_, holds)| *holds)?;
        remembered.hits += 1;
        Some(holds)
    }

    /// Whether the next evaluation of `rule` should be traced.
    pub fn traces(&self, rule: (usize, usize)) -> bool {
        self.rules.get(&rule).is_none_or(|remembered| {
            !remembered.given_up() && remembered.traces.len() < TRACES_PER_RULE
        })
    }

    /// Notes that `rule` was evaluated on `object`, and, when it was traced
    /// (`reads`) and held or failed (`holds`), remembers the outcome.
    pub fn evaluated(
        &mut self,
        rule: (usize, usize),
        object: &Node,
        reads: Option<&Reads>,
        holds: Option<bool>,
    ) {
        let remembered = self.rules.entry(rule).or_default();
        remembered.evaluated += 1;
        if let (Some(reads), Some(holds)) = (reads, holds)
            && remembered.traces.len() < TRACES_PER_RULE
        {
            remembered.traces.push((Trace::of(object, reads), holds));
        }
    }
}

#[cfg(test)]
mod tests {
    //! A trace must never hold on an object on which the rule gives another
    //! outcome: every stdlib rule is traced on each of a hundred-odd Pods (a
    //! hardened one, a loose one, and every change of one field, one key or
    //! one container of them) and replayed on all the others.

    use super::*;
    use crate::emit::admission::cel_document::document_val;
    use crate::emit::admission::cel_runtime::environment;
    use crate::emit::admission::test_pods::{pods, stdlib_rules};

    /// `pod` and every Pod that differs from it in one place: a scalar
    /// changed, a key removed, a sequence's first element repeated or removed.
    fn with_one_change(pod: &Node) -> Vec<Node> {
        let mut changed = vec![pod.clone()];
        let mut paths = HashMap::new();
        paths_of(pod, &mut Vec::new(), &mut paths);
        let mut paths: Vec<Vec<Step>> = paths.into_values().map(|(path, _)| path).collect();
        paths.sort_by_key(|path| format!("{path:?}"));
        for path in paths {
            let node = node_at(pod, &path).unwrap();
            let replacements: Vec<Node> = match node {
                Node::Str(text) => vec![
                    Node::from(format!("{text}:latest")),
                    Node::from("registry.example.com/other@sha256:0"),
                    Node::from(""),
                ],
                Node::Bool(flag) => vec![Node::Bool(!flag)],
                Node::Int(number) => vec![Node::Int(number + 1), Node::Int(0)],
                Node::Null => vec![Node::Bool(true)],
                Node::Seq(items) => {
                    let mut longer = items.clone();
                    longer.extend(items.first().cloned());
                    vec![
                        Node::Seq(longer),
                        Node::Seq(items[1.min(items.len())..].to_vec()),
                    ]
                }
                Node::Map(entries) => (0..entries.len())
                    .map(|removed| {
                        let mut fewer = entries.clone();
                        fewer.remove(removed);
                        Node::Map(fewer)
                    })
                    .collect(),
            };
            for replacement in replacements {
                let mut variant = pod.clone();
                *node_at_mut(&mut variant, &path).unwrap() = replacement;
                changed.push(variant);
            }
        }
        changed
    }

    fn node_at_mut<'n>(root: &'n mut Node, path: &[Step]) -> Option<&'n mut Node> {
        path.iter().try_fold(root, |node, step| match (step, node) {
            (Step::Key(key), node) => node.get_mut(key),
            (Step::Index(position), Node::Seq(items)) => items.get_mut(*position),
            _ => None,
        })
    }

    /// The rule's outcome on `pod` (`None`: not a boolean), and its trace.
    fn traced(expression: &str, pod: &Node, params: &Node) -> (Option<bool>, Trace) {
        let environment = environment();
        let program = environment.compile(expression).unwrap();
        let reads = Reads::default();
        let mut context = cel::Context::with_env(environment);
        context.add_variable_as_val("object", document_val(pod, Some(&reads)));
        context.add_variable_as_val("params", document_val(params, None));
        reads.start(true);
        let holds = match program.execute(&context) {
            Ok(cel::Value::Bool(holds)) => Some(holds),
            _ => None,
        };
        (holds, Trace::of(pod, &reads))
    }

    #[test]
    fn a_trace_holds_only_where_the_rule_gives_the_same_outcome() {
        let params = Node::from(&serde_json::json!({"registries": ["registry.example.com/"]}));
        let pods: Vec<Node> = pods().iter().flat_map(with_one_change).collect();
        assert!(pods.len() > 100, "{}", pods.len());
        let (mut recalled, mut told_apart) = (0, 0);
        for expression in stdlib_rules() {
            let runs: Vec<(Option<bool>, Trace)> = pods
                .iter()
                .map(|pod| traced(expression, pod, &params))
                .collect();
            for (traced_on, (outcome, trace)) in runs.iter().enumerate() {
                for (other, (other_outcome, _)) in runs.iter().enumerate() {
                    if trace.holds_for(&pods[other]) {
                        assert_eq!(
                            outcome, other_outcome,
                            "{expression}\ntraced on {:?}\nholds for {:?}",
                            pods[traced_on], pods[other]
                        );
                        recalled += usize::from(traced_on != other);
                    } else if outcome != other_outcome {
                        told_apart += 1;
                    }
                }
            }
        }
        // Both happen, often.
        assert!(
            recalled > 10_000 && told_apart > 1_000,
            "{recalled} {told_apart}"
        );
    }

    #[test]
    fn pods_that_differ_in_what_a_rule_does_not_read_share_its_outcome() {
        let params = Node::map();
        let pod = pods().remove(0);
        let mut renamed = pod.clone();
        *node_at_mut(
            &mut renamed,
            &[Step::Key("metadata".into()), Step::Key("name".into())],
        )
        .unwrap() = Node::from("api");
        *node_at_mut(
            &mut renamed,
            &[
                Step::Key("spec".into()),
                Step::Key("containers".into()),
                Step::Index(0),
                Step::Key("image".into()),
            ],
        )
        .unwrap() = Node::from("registry.example.com/api:2.0.0");
        let privileged = "(object.spec.containers + object.spec.?initContainers.orValue([])).all(c, c.?securityContext.?privileged.orValue(false) == false)";
        let (_, trace) = traced(privileged, &pod, &params);
        assert!(trace.holds_for(&renamed), "{trace:?}");
        let latest = "object.spec.containers.all(c, !c.image.endsWith(':latest'))";
        let (_, trace) = traced(latest, &pod, &params);
        assert!(!trace.holds_for(&renamed), "{trace:?}");
    }

    #[test]
    fn a_rule_whose_objects_differ_in_what_it_reads_is_given_up() {
        let mut memo = RuleMemo::default();
        let rule = (0, 0);
        for number in 0..GIVE_UP {
            let pod = Node::map().with("n", number as i64);
            assert!(memo.recall(rule, &pod).is_none());
            let reads = Reads::default();
            let traced = memo.traces(rule);
            reads.start(traced);
            reads.note(node_at(&pod, &[Step::Key("n".into())]).unwrap(), || {
                Read::Shape
            });
            memo.evaluated(rule, &pod, traced.then_some(&reads), Some(true));
        }
        assert!(!memo.traces(rule));
        // Not recalled any more, even where a trace would hold.
        assert_eq!(memo.recall(rule, &Node::map().with("n", 0)), None);
    }
}
