//! Semantic fixtures: each `tests/semantics/{ok,err}/*.fleet` is a whole fleet, one
//! file or several (`//- path.fleet` starts each file, rust-analyzer style; a file
//! in a folder, `//- lib/templates.fleet`, belongs to the library module `lib`).
//! The first line says which diagnostic codes the fleet must produce:
//! `// expect: E0306 E0305` (the set of codes; text after `--` explains it), or
//! `// expect: none`. Every `err` fixture snapshots its rendered diagnostics;
//! every `ok` fixture has no diagnostic at all and snapshots its evaluated model
//! as JSON. Snapshots sit beside their fixtures (`name.snap`).
//!
//! An `err` fixture shows a mistake, so it has at least one diagnostic, unless its
//! expect line says `BUG`: then it records a compiler bug where a mistake is not
//! reported at all, and fails as soon as the compiler starts reporting it.

mod fixture;

use fixture::{display_path, snapshot_beside};
use fleet_compiler::check::{check, workspace};
use fleet_compiler::db::{Database, Workspace, source_map};
use fleet_compiler::diagnostics::{Diagnostic, RenderOptions, Renderer};
use fleet_compiler::eval::declarations::evaluate;
use fleet_compiler::model_json::model_to_json;
use fleet_compiler::source::FileId;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// One file of a fixture: its path as diagnostics show it, its module, its text.
struct FixtureFile {
    path: String,
    module: String,
    text: String,
}

struct Fixture {
    /// The codes the first line announces; empty for `none`.
    expected: BTreeSet<String>,
    /// The expect line records a known compiler bug.
    known_bug: bool,
    files: Vec<FixtureFile>,
}

const EXPECT: &str = "// expect:";
const MARKER: &str = "//- ";

/// Splits a fixture into its files. Without any `//- ` marker, the whole text is
/// `fleet.fleet` (the expect line included, so line numbers match the fixture).
fn split_fixture(path: &Path, text: &str) -> Fixture {
    let first = text.lines().next().unwrap_or("");
    let Some(codes) = first.strip_prefix(EXPECT) else {
        panic!(
            "{}: the first line must be `{EXPECT} CODES` or `{EXPECT} none`",
            path.display()
        );
    };
    let known_bug = codes.contains("BUG");
    let codes = codes.split("--").next().unwrap_or("");
    let mut expected = BTreeSet::new();
    for word in codes.split_whitespace() {
        if word == "none" {
            continue;
        }
        assert!(
            fleet_compiler::diagnostics::Code::lookup(word).is_some(),
            "{}: `{word}` in the expect line is not a diagnostic code",
            path.display()
        );
        expected.insert(word.to_string());
    }
    if !text.lines().any(|line| line.starts_with(MARKER)) {
        return Fixture {
            expected,
            known_bug,
            files: vec![FixtureFile {
                path: "fleet.fleet".into(),
                module: String::new(),
                text: text.to_string(),
            }],
        };
    }
    let mut files: Vec<FixtureFile> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix(MARKER) {
            let name = name.trim().to_string();
            let module = match name.rsplit_once('/') {
                Some((folder, _)) => folder.to_string(),
                None => String::new(),
            };
            files.push(FixtureFile {
                path: name,
                module,
                text: String::new(),
            });
        } else if let Some(file) = files.last_mut() {
            file.text.push_str(line);
        } else {
            assert!(
                line.trim().is_empty() || line.starts_with("//"),
                "{}: only comments may come before the first `{MARKER}` marker",
                path.display()
            );
        }
    }
    Fixture {
        expected,
        known_bug,
        files,
    }
}

fn load(db: &Database, files: &[FixtureFile]) -> Workspace {
    workspace(
        db,
        files.iter().enumerate().map(|(index, file)| {
            (
                FileId(index as u32),
                file.path.clone(),
                Arc::from(file.text.as_str()),
                Arc::from(file.module.as_str()),
            )
        }),
    )
}

fn render_all(db: &Database, workspace: Workspace, diagnostics: &[Diagnostic]) -> String {
    let sources = source_map(db, workspace);
    let mut renderer = Renderer::new(&sources, RenderOptions { color: false });
    diagnostics
        .iter()
        .map(|diagnostic| renderer.render(diagnostic))
        .collect::<Vec<_>>()
        .join("\n")
}

fn codes_of(diagnostics: &[Diagnostic]) -> BTreeSet<String> {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code.id.to_string())
        .collect()
}

fn show(codes: &BTreeSet<String>) -> String {
    if codes.is_empty() {
        return "none".into();
    }
    codes.iter().cloned().collect::<Vec<_>>().join(" ")
}

#[test]
fn error_fixtures_report_what_their_expect_line_says() {
    let mut problems: Vec<String> = Vec::new();
    let mut count = 0;
    insta::glob!("semantics/err/*.fleet", |path| {
        count += 1;
        let text = std::fs::read_to_string(path).expect("fixtures are UTF-8");
        let fixture = split_fixture(path, &text);
        let db = Database::default();
        let workspace = load(&db, &fixture.files);
        let diagnostics = check(&db, workspace);
        let report = render_all(&db, workspace, &diagnostics);
        snapshot_beside(path, report.clone());
        let found = codes_of(&diagnostics);
        if fixture.expected.is_empty() && !fixture.known_bug {
            problems.push(format!(
                "{}: an error fixture must expect at least one code (or say `BUG`)",
                display_path(path)
            ));
        }
        if found != fixture.expected {
            let problem = format!(
                "{}: expected {}, found {}\n{report}",
                display_path(path),
                show(&fixture.expected),
                show(&found)
            );
            eprintln!("{problem}");
            problems.push(problem);
        }
    });
    assert!(count >= 45, "only {count} error fixtures");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn ok_fixtures_check_clean_and_snapshot_their_model() {
    let mut problems: Vec<String> = Vec::new();
    let mut count = 0;
    insta::glob!("semantics/ok/*.fleet", |path| {
        count += 1;
        let text = std::fs::read_to_string(path).expect("fixtures are UTF-8");
        let fixture = split_fixture(path, &text);
        let db = Database::default();
        let workspace = load(&db, &fixture.files);
        let diagnostics = check(&db, workspace);
        if !fixture.expected.is_empty() {
            problems.push(format!(
                "{}: an ok fixture expects `none`",
                display_path(path)
            ));
        }
        if !diagnostics.is_empty() {
            let problem = format!(
                "{}: should have no diagnostics, found {}\n{}",
                display_path(path),
                show(&codes_of(&diagnostics)),
                render_all(&db, workspace, &diagnostics)
            );
            eprintln!("{problem}");
            problems.push(problem);
            return;
        }
        let model = &evaluate(&db, workspace).model;
        let json = serde_json::to_string_pretty(&model_to_json(&db, model)).expect("JSON prints");
        snapshot_beside(path, json);
    });
    assert!(count >= 10, "only {count} ok fixtures");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Codes from E0200 up that `fleet check` does not produce, and why. A fixture
/// that starts producing one fails the coverage test below until it leaves this
/// list.
const NOT_PRODUCIBLE: &[(&str, &str)] = &[
    (
        "E0417",
        "found by `fleet build` (tests/build.rs holds it), not by the check",
    ),
    (
        "W0418",
        "found by `fleet build` (tests/build.rs holds it), not by the check",
    ),
    (
        "E0423",
        "found by `fleet build` (tests/build_crossplane.rs holds it), not by the check",
    ),
];

/// Every diagnostic code from E0200 up (names, types, the fleet's checks) is shown
/// by at least one error fixture's expect line.
#[test]
fn error_fixtures_cover_every_semantic_code() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/semantics/err");
    let mut covered = BTreeSet::new();
    for entry in std::fs::read_dir(&folder).expect("the fixture folder exists") {
        let path = entry.expect("readable").path();
        if path
            .extension()
            .is_some_and(|extension| extension == "fleet")
        {
            let text = std::fs::read_to_string(&path).expect("fixtures are UTF-8");
            covered.extend(split_fixture(&path, &text).expected);
        }
    }
    let missing: Vec<&str> = fleet_compiler::diagnostics::ALL_CODES
        .iter()
        .map(|code| code.id)
        .filter(|id| id[1..] >= *"0200" && !covered.contains(*id))
        .filter(|id| NOT_PRODUCIBLE.iter().all(|(code, _)| code != id))
        .collect();
    assert!(missing.is_empty(), "no error fixture shows {missing:?}");
    for (code, why) in NOT_PRODUCIBLE {
        assert!(
            !covered.contains(*code),
            "{code} is listed as not producible ({why}), but a fixture expects it: remove it from `NOT_PRODUCIBLE`"
        );
    }
}

/// Names resolve across files however many there are: 1,000 files each declare one
/// env or one cluster (clusters name envs of other files), and one more file refers
/// to names from most of them.
#[test]
fn a_name_defined_in_any_of_a_thousand_files_resolves() {
    const FILES: usize = 1_000;
    let env_name = |i: usize| format!("env-{}", i / 10 * 10);
    let mut files: Vec<FixtureFile> = vec![FixtureFile {
        path: "fleet.fleet".into(),
        module: String::new(),
        text: "fleet acme { repo = \"https://github.com/acme/gitops\" }\n\
               team web { owners = [\"@acme/web\"], namespaces = [\"web\"] }\n"
            .into(),
    }];
    for i in 0..FILES {
        let text = if i % 10 == 0 {
            format!("env {} {{}}\n", env_name(i))
        } else {
            format!(
                "cluster c-{i}: Cluster {{\n  cloud = aws\n  region = \"eu-west-1\"\n  env = {}\n  \
                 kubernetes = \"1.35\"\n  node_groups = [{{ name = \"system\", instance = \"m6i.large\", min = 1, max = 3 }}]\n}}\n",
                env_name(i)
            )
        };
        files.push(FixtureFile {
            path: format!("part-{i:04}.fleet"),
            module: String::new(),
            text,
        });
    }
    // Every third cluster by name, every env in the versions and the path.
    let targets: Vec<String> = (0..FILES)
        .filter(|i| i % 10 != 0 && i % 3 == 0)
        .map(|i| format!("c-{i}"))
        .collect();
    let envs: Vec<String> = (0..FILES).step_by(10).map(env_name).collect();
    let versions: Vec<String> = envs
        .iter()
        .map(|env| format!("{env} = \"1.0.0\""))
        .collect();
    files.push(FixtureFile {
        path: "zz-app.fleet".into(),
        module: String::new(),
        text: format!(
            "app shop {{\n  team = web\n  namespace = \"web\"\n  targets = [{}]\n  \
             source = git(\"https://github.com/acme/shop\")\n  version {{ {} }}\n}}\n\n\
             promotion shop {{ path = {} }}\n",
            targets.join(", "),
            versions.join(", "),
            envs.join(" -> ")
        ),
    });
    let db = Database::default();
    let workspace = load(&db, &files);
    let diagnostics = check(&db, workspace);
    assert!(
        diagnostics.is_empty(),
        "{}",
        render_all(&db, workspace, &diagnostics)
    );
    let model = &evaluate(&db, workspace).model;
    assert_eq!(model.envs.len(), FILES / 10);
    assert_eq!(model.clusters.len(), FILES - FILES / 10);
    assert_eq!(model.apps[0].targets.len(), targets.len());
}

/// The bad inputs of the syntax tests, checked with a fleet that is otherwise fine:
/// each gives its syntax code and nothing else (not the bad name, the unknown field
/// or the duplicate `env` after them), since names and types are not checked over a
/// tree the parser had to guess.
#[test]
fn syntax_errors_give_their_codes_and_no_semantic_cascade() {
    let good = "fleet acme { repo = \"https://github.com/acme/gitops\" }\nenv dev {}\n\
                cluster dev-eu-west-1: Cluster {\n  cloud = aws\n  region = \"eu-west-1\"\n  \
                env = dev\n  kubernetes = \"1.35\"\n  \
                node_groups = [{ name = \"system\", instance = \"m6i.large\", min = 1, max = 3 }]\n}\n";
    let cases: &[(&str, &str, &[&str])] = &[
        ("an empty file", "", &["E0009"]),
        ("a file that is only an error", "}", &["E0112"]),
        (
            "an unterminated string",
            "let a = \"open\ncluster Bad_Name: Cluster { cloud = aws, regin = 1 }\n",
            &["E0004"],
        ),
        (
            "an unterminated interpolation",
            "let b = \"x${y\nenv dev {}\n",
            &["E0005"],
        ),
    ];
    for (what, text, codes) in cases {
        let files = [
            FixtureFile {
                path: "fleet.fleet".into(),
                module: String::new(),
                text: good.into(),
            },
            FixtureFile {
                path: "bad.fleet".into(),
                module: String::new(),
                text: (*text).into(),
            },
        ];
        let db = Database::default();
        let workspace = load(&db, &files);
        let diagnostics = check(&db, workspace);
        let found: Vec<&str> = diagnostics
            .iter()
            .map(|diagnostic| diagnostic.code.id)
            .collect();
        assert_eq!(
            found,
            *codes,
            "{what}:\n{}",
            render_all(&db, workspace, &diagnostics)
        );
        assert!(
            diagnostics.iter().all(|diagnostic| diagnostic
                .primary
                .as_ref()
                .is_none_or(|label| label.span.file == FileId(1))),
            "{what}: a diagnostic points outside the bad file"
        );
    }
}
