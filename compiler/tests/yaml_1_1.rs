//! The YAML writer against a YAML 1.1 reader: a corpus of strings (every quoting
//! rule, the 1-3 character strings over a set of tricky characters, numbers in many
//! forms, dates, versions, words, multi-line text) written as values, as keys, in
//! sequences, in maps inside sequences and as whole documents, read back by PyYAML
//! (`yaml.load_all` with its pure-Python `SafeLoader` and, where PyYAML was built
//! with it, libyaml's `CSafeLoader`: go-yaml, which Kubernetes uses, is a port of
//! libyaml). Every string must come back as the same string, ints as ints, booleans
//! as booleans, null as None.
//!
//! PyYAML resolves sexagesimal numbers as YAML 1.1 says, go-yaml v2 does not; the
//! unit tests of `emit::yaml` check that those are quoted.
//!
//! Needs `python3` with PyYAML; when `import yaml` fails, the test runs
//! `python3 -m pip install --user pyyaml==6.0.3` once and tries again.

use fleet_compiler::emit::document::{Document, Node};
use fleet_compiler::emit::yaml;
use serde_json::{Value as Json, json};
use std::collections::HashSet;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Reads a stream with PyYAML and returns, per loader (`pure`, and `libyaml` when
/// present), the documents with every node tagged by its Python type.
const READER: &str = r#"
import json, sys, yaml
def tag(x):
    if isinstance(x, bool): return {"bool": x}
    if isinstance(x, int): return {"int": str(x)}
    if x is None: return {"null": None}
    if isinstance(x, str): return {"str": x}
    if isinstance(x, list): return {"seq": [tag(i) for i in x]}
    if isinstance(x, dict): return {"map": [[tag(k), tag(v)] for k, v in x.items()]}
    return {type(x).__name__: repr(x)}
data = sys.stdin.buffer.read()
loaders = [("pure", yaml.SafeLoader)]
if hasattr(yaml, "CSafeLoader"):
    loaders.append(("libyaml", yaml.CSafeLoader))
print(json.dumps({name: [tag(d) for d in yaml.load_all(data, Loader=loader)] for name, loader in loaders}))
"#;

fn pyyaml_importable() -> bool {
    Command::new("python3")
        .args(["-c", "import yaml"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// PyYAML is there, or installed once for the whole test binary.
fn ensure_pyyaml() {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        if Command::new("python3").arg("--version").output().is_err() {
            return Err("these tests read YAML back with PyYAML: install python3".to_string());
        }
        if pyyaml_importable() {
            return Ok(());
        }
        let install = Command::new("python3")
            .args(["-m", "pip", "install", "--user", "pyyaml==6.0.3"])
            .output();
        if pyyaml_importable() {
            return Ok(());
        }
        let detail = match install {
            Ok(output) => String::from_utf8_lossy(&output.stderr).into_owned(),
            Err(error) => error.to_string(),
        };
        Err(format!(
            "these tests read YAML back with PyYAML, which python3 cannot import, and \
             `python3 -m pip install --user pyyaml==6.0.3` did not install it (install it \
             another way: `apt install python3-yaml`, or pip in a virtual environment):\n{detail}"
        ))
    });
    if let Err(message) = ready {
        panic!("{message}");
    }
}

/// `text` read by PyYAML: `{"pure": [documents], "libyaml": [documents]}`.
fn read_back(text: &str) -> Json {
    ensure_pyyaml();
    let mut child = Command::new("python3")
        .args(["-c", READER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut stdin = child.stdin.take().expect("a pipe");
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("python3 finishes");
    writer
        .join()
        .unwrap()
        .expect("the YAML is written to python3");
    assert!(
        output.status.success(),
        "PyYAML could not read the YAML:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the reader prints JSON")
}

/// A node as the reader tags it.
fn tagged(node: &Node) -> Json {
    match node {
        Node::Null => json!({ "null": null }),
        Node::Bool(value) => json!({ "bool": value }),
        Node::Int(value) => json!({ "int": value.to_string() }),
        Node::Str(text) => json!({ "str": &**text }),
        Node::Seq(items) => json!({ "seq": items.iter().map(tagged).collect::<Vec<_>>() }),
        Node::Map(entries) => json!({
            "map": entries
                .iter()
                .map(|(key, value)| json!([{ "str": &**key }, tagged(value)]))
                .collect::<Vec<_>>()
        }),
    }
}

/// Where `expected` and `got` differ, as `path: expected ..., got ...` lines (at
/// most `limit`).
fn differences(expected: &Json, got: &Json, path: &str, found: &mut Vec<String>, limit: usize) {
    if found.len() >= limit {
        return;
    }
    let children = |value: &Json, kind: &str| value.get(kind).and_then(Json::as_array).cloned();
    for kind in ["seq", "map"] {
        if let (Some(expected_items), Some(got_items)) =
            (children(expected, kind), children(got, kind))
        {
            if expected_items.len() != got_items.len() {
                found.push(format!(
                    "{path}: {} items written, {} read back (keys that read as equal values merge)",
                    expected_items.len(),
                    got_items.len()
                ));
            }
            for (index, (expected, got)) in expected_items.iter().zip(&got_items).enumerate() {
                if kind == "map" {
                    let key = expected[0]["str"].as_str().unwrap_or_default();
                    let path = format!("{path}/{key:?}");
                    differences(
                        &expected[0],
                        &got[0],
                        &format!("{path} (key)"),
                        found,
                        limit,
                    );
                    differences(&expected[1], &got[1], &path, found, limit);
                } else {
                    differences(expected, got, &format!("{path}[{index}]"), found, limit);
                }
            }
            return;
        }
    }
    if expected != got {
        let written = match expected.get("str").and_then(Json::as_str) {
            Some(text) => format!(
                " (written as a value: {:?})",
                yaml::to_string(&Node::map().with("k", text))
            ),
            None => String::new(),
        };
        found.push(format!(
            "{path}: expected {expected}, read back {got}{written}"
        ));
    }
}

/// Writes `documents`, reads them back with every loader, and fails on any
/// difference.
#[track_caller]
fn assert_reads_back(documents: &[Document]) {
    let text = yaml::stream_to_string(documents);
    let expected: Vec<Json> = documents
        .iter()
        .map(|document| tagged(&document.root))
        .collect();
    let read = read_back(&text);
    let loaders = read.as_object().expect("an object per loader");
    assert!(loaders.contains_key("pure"));
    for (loader, got) in loaders {
        let got = got.as_array().expect("the documents");
        assert_eq!(got.len(), expected.len(), "{loader}: documents read back");
        let mut found = Vec::new();
        for (index, (expected, got)) in expected.iter().zip(got).enumerate() {
            differences(expected, got, &format!("document {index}"), &mut found, 40);
        }
        assert!(
            found.is_empty(),
            "{loader} read {} differences (the first ones):\n{}",
            found.len(),
            found.join("\n")
        );
    }
}

// The strings named by a rule of the writer, or known to trip YAML writers, one
// group per rule.
const KEYWORDS: &[&str] = &[
    "", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
    "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "<<",
    "=",
];
const NUMBERS: &[&str] = &[
    "0", "-0", "+0", "1", "+1", "-1", "0755", "0o755", "0O755", "09", "0x1F", "0XFF", "0b1010",
    "-0b1010", "1_000", "1__000", "-1_0", "0_7", "1:20", "8080:80", "1.30", ".5", "-.5", "+.5",
    "1e3", "1E3", ".inf", "-.Inf", "+.INF", ".NaN", ".nan", ".NAN", "1.", "0.", "0.5", "1.0",
    "-1.5", "1e-3", ".5e3",
];
const LONG_NUMBERS_AND_TIMESTAMPS: &[&str] = &[
    "190:20:30",
    "685_230.15",
    "-190:20:30",
    "6.8523015e+5",
    "685.230_15e+03",
    "190:20:30.15",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14T21:59:43.10Z",
    "2001-12-14 21:59:43.10 -5",
    "2001-12-15 2:59:43.10",
    "2002-1-2",
];
const INDICATORS_AND_SPACES: &[&str] = &[
    "-", "- x", "-x", "-v=2", "?", "? x", "?x", ":", ": x", ":x", ",", "[", "[a]", "]", "{",
    "{a: b}", "}", "#", "# x", "#x", "&a", "*a", "!a", "!!str", "|", "| x", ">", "> x", "'", "'a'",
    "\"", "\"a\"", "%", "%YAML", "@", "@a", "`", "`a`", "---", "--- x", "...", "... x", " ", "  ",
    " x", "x ", " x ", "a: b", "a:", "a:b", "a #b", "a#b", "a # b", "a\tb", "\t", "\ta", "a\t",
    "--leader",
];
const CONTROLS_AND_SPECIAL_CHARACTERS: &[&str] = &[
    "\u{0}", "a\u{1}b", "\u{7}", "\u{8}", "\u{b}", "\u{c}", "\r", "a\rb", "\x1b[31m", "\u{7f}",
    "\u{80}", "\u{85}", "a\u{85}b", "\u{9f}", "\u{a0}", "a\u{a0}", "\u{a0}a", "\u{2028}",
    "\u{2029}", "\u{feff}", "\u{fffe}", "\u{ffff}", "\u{fffd}", "\u{e000}", "\\", "\\n", "a\\b",
    "\"\\\"",
];
const UNICODE_TEXT: &[&str] = &[
    "héllo",
    "日本語",
    "東京-1",
    "🚀",
    "🚀: go",
    "Ελληνικά",
    "ünïcödé",
    "한국어",
    "العربية",
    "👩‍👩‍👧",
    "e\u{301}",
    "deploy 🚀",
];
const KUBERNETES_STRINGS: &[&str] = &[
    "nginx", "100m", "250m", "1Gi", "512Mi", "1.5Gi", "0.5", "5m", "10m30s", "v1", "apps/v1",
    "::1", "fe80::1", "1.2.3", "v1.30.2", "3.5.x", "a_b", "_private", "a, b", "50%", "it's", "a|b",
    "a>b", "a&b", "a*b", "a!b", "a@b", "${VAR}", "$(VAR)",
];
const LONG_KUBERNETES_STRINGS: &[&str] = &[
    "eu-west-1",
    "web-frontend",
    "app.kubernetes.io/name",
    "registry.example.com/team/app:1.2.3",
    "registry.example.com:5000/team/app@sha256:0123abcd",
    "https://github.com/acme/gitops.git",
    "ssh://git@github.com/acme/gitops",
    "./gitops/flux/clusters/dev-eu",
    "/etc/app.yaml",
    "10.0.0.0/8",
    "192.168.1.1",
    "CreateReplace",
    "fleet.dev/team",
    "key=value",
    "NoSchedule",
    "*.example.com",
    "{{ .Values.x }}",
    "say \"hi\"",
    "C:\\Windows",
    "--leader-elect",
];
const MULTI_LINE: &[&str] = &[
    "a\nb",
    "a\nb\n",
    "a\nb\n\n",
    "a\n",
    "a\n\n",
    "a\n\n\n",
    "\n",
    "\n\n",
    "\na",
    "\n\na",
    " a\nb",
    "a\n b",
    "a\n  b\n",
    "a \nb",
    "a\n ",
    "a\n \n",
    "a\n\n b",
    "a\n\tb",
    "a\r\nb",
    "yes\nno",
    "🚀\n日本\n",
    "x\n\n",
    "x\n \n",
    "x\n  ",
    "|\n",
    ">\n",
    "a\n|",
    "a\n>",
];
const LONG_MULTI_LINE: &[&str] = &[
    "- a\n- b\n",
    "---\n...\n",
    "a\n---\nb",
    "a\n...\nb",
    "a\n\u{85}b",
    "a\n\u{2028}b",
    "a\n\n\nb\n\n\n",
    "key: value\nother: 1\n",
    "#!/bin/sh\nset -eu\necho \"hi\"\n",
    "a\n# not a comment\n",
    "line 1\n  indented\n\n    more\nlast",
];

fn named_strings() -> Vec<String> {
    let mut strings: Vec<String> = [
        KEYWORDS,
        NUMBERS,
        LONG_NUMBERS_AND_TIMESTAMPS,
        INDICATORS_AND_SPACES,
        CONTROLS_AND_SPECIAL_CHARACTERS,
        UNICODE_TEXT,
        KUBERNETES_STRINGS,
        LONG_KUBERNETES_STRINGS,
        MULTI_LINE,
        LONG_MULTI_LINE,
    ]
    .concat()
    .into_iter()
    .map(str::to_string)
    .collect();
    // The last code point, and long strings (keys past 1,024 characters are explicit).
    strings.push("\u{10ffff}".to_string());
    strings.push("k".repeat(1_200));
    strings.push("\u{0}".repeat(200));
    strings.push("long line ".repeat(2_000));
    strings.push("line\n".repeat(1_000));
    strings
}

/// Characters that mean something to YAML, for the 1- and 2-character strings.
const TRICKY: &[char] = &[
    ' ', '\n', '\t', '\r', '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>',
    '\'', '"', '%', '@', '`', '.', '0', '1', '9', '+', '_', 'e', 'x', 'y', 'n', 'o', 'N', '~', '<',
    '=', '\\', 'a', 'é', '\u{85}', '\u{2028}', '\u{feff}', '🚀',
];

/// Fewer of them, for the 3-character strings.
const TRICKIEST: &[char] = &[
    ' ', '\n', '\t', '-', '?', ':', '#', '.', '0', '1', '+', '_', 'e', 'x', 'n', 'o', '~', '<',
    '=', 'a',
];

fn one_and_two_character_strings() -> Vec<String> {
    let mut strings = Vec::new();
    for &a in TRICKY {
        strings.push(a.to_string());
        for &b in TRICKY {
            strings.push([a, b].iter().collect());
        }
    }
    strings
}

fn three_character_strings() -> Vec<String> {
    let mut strings = Vec::new();
    for &a in TRICKIEST {
        for &b in TRICKIEST {
            for &c in TRICKIEST {
                strings.push([a, b, c].iter().collect());
            }
        }
    }
    strings
}

/// Number bodies, written with no sign, `+` and `-`.
const NUMBER_BODIES: &[&str] = &[
    "0", "1", "7", "8", "9", "01", "07", "08", "09", "010", "0755", "12", "123", "1_000", "1__0",
    "_1", "1_", "0x", "0x1F", "0xff", "0XFF", "0x_1", "0xg", "0o", "0o17", "0O17", "0o8", "0b",
    "0b101", "0B1", "0b2", "1:20", "1:2", "1:60", "1:2:3", "1:2:3.5", "1:20:", "1::20", "1.", "0.",
    ".0", ".5", "._5", "1.5", "1.30", "1.35", "2.9", "1.2.3", "1e3", "1E3", "1e+3", "1e-3", "1e",
    "e3", "1.5e3", "1.5E+03", ".5e3", "1_0.5", ".inf", ".Inf", ".INF", ".iNf", ".nan", ".NaN",
    ".NAN", "inf", "nan", "Infinity", "0.5", "100m", "1Gi", "1.5Gi", "5m", "1h30m", "1,000",
    "1 000", "0e0", "00", "00.5", "1.0.0", "10.0.0.1", "0x1p-2", "1_e3", "1e_3", ".", "..", ".e3",
    "1.e3",
];
const LONG_NUMBER_BODIES: &[&str] = &[
    "190:20:30",
    "190:20:30.15",
    "6.8523015e+5",
    "685_230.15",
    "685.230_15e+03",
    "99999999999999999999",
    "18446744073709551616",
    "9223372036854775808",
];
const DATES: &[&str] = &[
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14T21:59:43Z",
    "2001-12-14 21:59:43.10 -5",
    "2001-12-14 21:59:43.10",
    "2001-12-14\t21:59:43.10",
    "2001-1-2",
    "2001-12-14T21:59",
    "2001-12",
    "20011214",
    "2001-12-14x",
    "12-14-2001",
];
const VERSIONS: &[&str] = &[
    "1.30", "1.35", "2.9", "1.19", "1.20", "1.10", "0.1", "10.0", "1.0", "v1.30", "1.30.0",
    "3.5.x", "v2", "2", "1.2-rc.1",
];

/// Numbers in many forms, with and without a sign; dates; versions; the
/// booleans and null in every mix of cases.
fn number_like_strings() -> Vec<String> {
    let mut strings = Vec::new();
    for sign in ["", "+", "-"] {
        for body in NUMBER_BODIES.iter().chain(LONG_NUMBER_BODIES) {
            strings.push(format!("{sign}{body}"));
        }
    }
    strings.extend(DATES.iter().chain(VERSIONS).map(|text| text.to_string()));
    for word in ["y", "n", "yes", "no", "on", "off", "true", "false", "null"] {
        let letters: Vec<char> = word.chars().collect();
        for mask in 0..1u32 << letters.len() {
            let mixed = letters.iter().enumerate().map(|(k, letter)| {
                if mask & (1 << k) != 0 {
                    letter.to_ascii_uppercase()
                } else {
                    *letter
                }
            });
            strings.push(mixed.collect());
        }
    }
    strings
}

fn unique(strings: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    strings
        .into_iter()
        .filter(|text| seen.insert(text.clone()))
        .collect()
}

/// The named strings, the numbers and the 1-2 character strings.
fn corpus() -> Vec<String> {
    unique(
        named_strings()
            .into_iter()
            .chain(number_like_strings())
            .chain(one_and_two_character_strings()),
    )
}

/// `strings` as keys, numbered.
fn numbered_keys(strings: &[String]) -> impl Iterator<Item = (String, Node)> + '_ {
    strings
        .iter()
        .enumerate()
        .map(|(index, text)| (text.clone(), Node::Int(index as i64)))
}

#[test]
fn every_string_reads_back_as_the_same_string() {
    let corpus = corpus();
    assert!(
        corpus.len() > 2_500,
        "the corpus has {} strings",
        corpus.len()
    );
    let strings = || corpus.iter().map(|text| Node::from(text.as_str()));
    let values = Document::new(
        Node::map()
            .with("in a sequence", strings().collect::<Node>())
            .with(
                "in maps in a sequence",
                strings()
                    .map(|text| Node::map().with("value", text).with("after", 1))
                    .collect::<Node>(),
            )
            .with(
                "in sequences in a sequence",
                strings()
                    .map(|text| Node::seq().item(text).item(Node::seq().item("x")))
                    .collect::<Node>(),
            )
            .with(
                "as map values",
                Node::map().with(
                    "nested",
                    corpus
                        .iter()
                        .enumerate()
                        .map(|(index, text)| (format!("k{index}"), Node::from(text.as_str())))
                        .collect::<Node>(),
                ),
            ),
    )
    .with_header("the corpus as values");
    let keys_at_the_root = Document::new(numbered_keys(&corpus).collect::<Node>());
    let keys_indented = Document::new(
        Node::map()
            .with("keys", numbered_keys(&corpus).collect::<Node>())
            .with(
                "keys in a sequence",
                numbered_keys(&corpus)
                    .map(|(key, value)| Node::map().with(key, value).with("after", true))
                    .collect::<Node>(),
            ),
    );
    assert_reads_back(&[values, keys_at_the_root, keys_indented]);
}

/// The 3-character strings (8,000), where a block's lines are indented most and
/// as keys at the root (where `---` and `...` would end a document).
#[test]
fn three_character_strings_read_back_as_the_same_strings() {
    let strings = unique(three_character_strings());
    let values = Document::new(
        strings
            .iter()
            .map(|text| Node::map().with("value", text))
            .collect::<Node>(),
    );
    let keys = Document::new(numbered_keys(&strings).collect::<Node>());
    assert_reads_back(&[values, keys]);
}

#[test]
fn named_strings_read_back_as_whole_documents() {
    let documents: Vec<Document> = unique(named_strings().into_iter().chain(number_like_strings()))
        .into_iter()
        .map(|text| Document::new(Node::from(text)))
        .collect();
    assert!(documents.len() > 500, "{} documents", documents.len());
    assert_reads_back(&documents);
}

#[test]
fn ints_booleans_and_null_read_back_as_themselves() {
    let ints = [
        0,
        1,
        -1,
        7,
        10,
        100,
        8080,
        65_535,
        i64::from(i32::MAX),
        i64::MIN,
        i64::MAX,
    ];
    let scalars = Node::map()
        .with(
            "ints",
            ints.iter().map(|&value| Node::Int(value)).collect::<Node>(),
        )
        .with("true", true)
        .with("false", false)
        .with("null", Node::Null)
        .with("empty map", Node::map())
        .with("empty seq", Node::seq())
        .with(
            "in a seq",
            Node::seq()
                .item(true)
                .item(Node::Null)
                .item(-5)
                .item(Node::map()),
        );
    assert_reads_back(&[
        Document::new(scalars).with_header("header\n\nwith lines\r\nand \u{2028} breaks"),
        Document::new(Node::Int(-42)),
        Document::new(Node::Bool(false)),
        Document::new(Node::Null),
        Document::new(Node::map()),
        Document::new(Node::seq()),
    ]);
}

#[test]
fn a_manifest_reads_back() {
    let manifest = Node::map()
        .with("apiVersion", "v1")
        .with("kind", "Secret")
        .with(
            "metadata",
            Node::map()
                .with("name", "cluster-dev-eu")
                .with("namespace", "argocd")
                .with(
                    "labels",
                    Node::map().with("argocd.argoproj.io/secret-type", "cluster"),
                )
                .with(
                    "annotations",
                    Node::map().with("fleet.dev/source", "clusters.fleet"),
                ),
        )
        .with("type", "Opaque")
        .with(
            "stringData",
            Node::map()
                .with("name", "dev-eu")
                .with("server", "https://10.0.0.1:6443")
                .with(
                    "config",
                    "{\n  \"tlsClientConfig\": {\n    \"insecure\": false\n  }\n}\n",
                )
                .with("replicas", "3")
                .with("enabled", "yes"),
        );
    assert_reads_back(&[Document::new(manifest)]);
}
