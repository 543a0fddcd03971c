//! The `fleet` binary as CI and users run it: exit codes, output formats, and the
//! bad inputs of issue 2 (each gets diagnostics and exit 1, never a crash).

mod fixture;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn fleet(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fleet"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the fleet binary runs")
}

fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .expect("exited normally, not by a signal")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn folder_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        fs::write(dir.path().join(name), contents).unwrap();
    }
    dir
}

fn check(files: &[(&str, &[u8])]) -> Output {
    let dir = folder_with(files);
    fleet(&["check", "."], dir.path())
}

/// The smallest fleet that checks clean.
const MINIMAL: &[u8] = b"fleet t { repo = \"https://github.com/t/gitops\" }\nenv dev {}\n";

#[test]
fn a_clean_fleet_checks_with_exit_0() {
    let output = check(&[("fleet.fleet", MINIMAL)]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stderr(&output).contains("checked 1 file: no problems"));
}

#[test]
fn an_empty_folder_is_an_error() {
    let output = check(&[]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("E0008"), "{}", stderr(&output));
}

#[test]
fn an_empty_file_is_an_error() {
    let output = check(&[("empty.fleet", b"")]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("E0009"), "{}", stderr(&output));
}

#[test]
fn a_binary_file_is_an_error() {
    let output = check(&[("image.fleet", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0")]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("E0002"), "{}", stderr(&output));
}

#[test]
fn invalid_utf8_is_an_error_pointing_at_the_byte() {
    let output = check(&[("latin1.fleet", b"env caf\xe9 {}\n")]);
    assert_eq!(code(&output), 1);
    let text = stderr(&output);
    assert!(
        text.contains("E0001") && text.contains("latin1.fleet:1:8"),
        "{text}"
    );
}

#[test]
fn unterminated_string_and_interpolation_are_errors() {
    let output = check(&[("a.fleet", b"let a = \"open\nlet b = \"x${y\nenv dev {}\n")]);
    assert_eq!(code(&output), 1);
    let text = stderr(&output);
    assert!(text.contains("E0004") && text.contains("E0005"), "{text}");
}

#[test]
fn a_file_that_is_only_an_error_is_an_error() {
    let output = check(&[("a.fleet", b"}")]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("E0112"), "{}", stderr(&output));
}

#[test]
fn ten_thousand_nested_brackets_are_an_error_not_a_crash() {
    let text = format!("let x = {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let output = check(&[("deep.fleet", text.as_bytes())]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("E0109"), "{}", stderr(&output));
}

#[test]
fn ten_megabytes_of_garbage_are_errors_not_a_hang() {
    let mut text = String::new();
    let pieces = [
        "{", "]", "cluster", "\"", "${", "=", "x", "@", ";", "\n", "10%", "漢", "app", "}",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    while text.len() < 10 * 1024 * 1024 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        text.push_str(pieces[(state % pieces.len() as u64) as usize]);
        text.push(' ');
    }
    let output = check(&[("garbage.fleet", text.as_bytes())]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("E0118"),
        "the error list is capped"
    );
}

#[test]
fn a_well_formed_ten_megabyte_fleet_checks_clean() {
    use fleet_bench::workload::{Form, generate};
    let text = generate(38_000, Form::Explicit);
    assert!(
        text.len() >= 10 * 1024 * 1024,
        "the fleet is {} bytes",
        text.len()
    );
    let output = check(&[("big.fleet", text.as_bytes())]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn non_fleet_files_and_subfolders_are_ignored() {
    let dir = folder_with(&[("a.fleet", MINIMAL), ("notes.txt", b"{{{")]);
    fs::create_dir(dir.path().join("lib")).unwrap();
    fs::write(dir.path().join("lib/bad.fleet"), b"}}}").unwrap();
    fs::create_dir(dir.path().join("folder.fleet")).unwrap();
    let output = fleet(&["check"], dir.path());
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = fleet(&["check", "does-not-exist"], dir.path());
    assert_eq!(code(&output), 2);
    let output = fleet(&["frobnicate"], dir.path());
    assert_eq!(code(&output), 2);
}

#[test]
fn json_diagnostics_are_one_object_per_line() {
    let dir = folder_with(&[("a.fleet", b"app web {\n  replicas: 3\n}\n")]);
    let output = fleet(&["check", "--message-format", "json"], dir.path());
    assert_eq!(code(&output), 1);
    let lines: Vec<_> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let value: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(value["schema"], 1);
    assert_eq!(value["code"], "E0120");
    assert_eq!(value["severity"], "error");
    assert_eq!(value["file"], "./a.fleet");
    assert_eq!(value["range"]["start"]["line"], 2);
    assert_eq!(value["range"]["start"]["column"], 11);
    assert_eq!(value["labels"][0]["primary"], true);
    assert!(value["help"].as_str().unwrap().contains("replicas = "));
}

#[test]
fn colour_is_off_when_not_a_terminal_and_on_when_asked() {
    let dir = folder_with(&[("a.fleet", b"}")]);
    let plain = fleet(&["check"], dir.path());
    assert!(
        !stderr(&plain).contains('\u{1b}'),
        "no escape codes when piped"
    );
    let forced = fleet(&["check", "--color", "always"], dir.path());
    assert!(stderr(&forced).contains('\u{1b}'));
}

#[test]
fn explain_prints_the_page_of_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let output = fleet(&["explain", "E0120"], dir.path());
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).starts_with("# E0120: "));
    let output = fleet(&["explain", "e0120"], dir.path());
    assert_eq!(code(&output), 0, "codes are case-insensitive");
    let output = fleet(&["explain", "E9999"], dir.path());
    assert_eq!(code(&output), 2);
    let output = fleet(&["explain", "--list"], dir.path());
    assert!(stdout(&output).lines().count() >= 30);
}

#[test]
fn fmt_check_exits_3_on_differences_and_writes_nothing() {
    let messy = b"env   dev   {   }\n";
    let dir = folder_with(&[("a.fleet", messy)]);
    let output = fleet(&["fmt", "--check"], dir.path());
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(
        stdout(&output).contains("+env dev {}"),
        "a diff is shown: {}",
        stdout(&output)
    );
    assert_eq!(fs::read(dir.path().join("a.fleet")).unwrap(), messy);
}

#[test]
fn fmt_rewrites_files_then_check_is_clean() {
    let dir = folder_with(&[
        ("a.fleet", b"env   dev   {   }\n"),
        ("b.fleet", b"env prod {}\n"),
    ]);
    let output = fleet(&["fmt"], dir.path());
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(dir.path().join("a.fleet")).unwrap(),
        "env dev {}\n"
    );
    assert_eq!(code(&fleet(&["fmt", "--check"], dir.path())), 0);
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_alone() {
    let broken = b"app web {\n  replicas: 3\n";
    let dir = folder_with(&[("a.fleet", broken)]);
    let output = fleet(&["fmt"], dir.path());
    assert_eq!(code(&output), 1);
    assert_eq!(fs::read(dir.path().join("a.fleet")).unwrap(), broken);
}

#[cfg(unix)]
#[test]
fn fmt_keeps_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder_with(&[("a.fleet", b"env   dev {}\n")]);
    let path = dir.path().join("a.fleet");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(code(&fleet(&["fmt"], dir.path())), 0);
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn fmt_formats_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleet"))
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"team   a {owners=[\"x\"]}")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(stdout(&output), "team a { owners = [\"x\"] }\n");
}

fn repository_path(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

#[test]
fn the_examples_check_clean() {
    for example in ["examples/acme", "examples/quickstart"] {
        let path = repository_path(example);
        let output = fleet(&["check", "--deny-warnings", path.to_str().unwrap()], &path);
        assert_eq!(code(&output), 0, "{example}:\n{}", stderr(&output));
    }
}

#[test]
fn eval_prints_the_model_the_same_way_every_time() {
    let path = repository_path("examples/acme");
    let first = fleet(&["eval", ".", "--format", "json"], &path);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let second = fleet(&["eval", ".", "--format", "json"], &path);
    assert_eq!(
        first.stdout, second.stdout,
        "fleet eval is not deterministic"
    );
    let model: serde_json::Value = serde_json::from_slice(&first.stdout).expect("valid JSON");
    let clusters = model["clusters"].as_array().expect("a list of clusters");
    let names: Vec<&str> = clusters
        .iter()
        .map(|cluster| cluster["name"].as_str().expect("a cluster has a name"))
        .collect();
    assert!(
        names
            .iter()
            .any(|name| name.contains("ap-south-1") || name.contains("asia-south1")),
        "the acme fleet has its GKE cluster in Mumbai: {names:?}"
    );
    assert!(
        model["apps"]
            .as_array()
            .expect("a list of apps")
            .iter()
            .any(|app| app["name"] == "payment-service"),
        "the acme fleet deploys payment-service"
    );

    let yaml = fleet(&["eval", ".", "--format", "yaml"], &path);
    assert_eq!(code(&yaml), 0, "{}", stderr(&yaml));
    let from_yaml: serde_json::Value = serde_yaml::from_slice(&yaml.stdout).expect("valid YAML");
    assert_eq!(
        from_yaml, model,
        "the YAML and the JSON show the same model"
    );
}

#[test]
fn eval_of_a_fleet_with_errors_prints_no_model() {
    let dir = folder_with(&[("fleet.fleet", b"fleet t { repo = 42 }\nenv dev {}\n")]);
    let output = fleet(&["eval", "."], dir.path());
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "printed: {}", stdout(&output));
    assert!(stderr(&output).contains("E0302"), "{}", stderr(&output));
}

#[test]
fn deny_warnings_turns_a_warning_into_exit_1() {
    let fleet_text: &[u8] = b"fleet t { repo = \"https://github.com/t/gitops\" }
env dev {}
team web { owners = [\"@t/web\"], namespaces = [\"web\"] }
app shop {
  team = web
  namespace = \"web\"
  targets = clusters where env == dev
  source = git(\"https://github.com/t/shop\")
  version { dev = \"1.0.0\" }
}
";
    let dir = folder_with(&[("fleet.fleet", fleet_text)]);
    let warned = fleet(&["check", "."], dir.path());
    assert_eq!(code(&warned), 0, "{}", stderr(&warned));
    assert!(stderr(&warned).contains("W0406"), "{}", stderr(&warned));
    let denied = fleet(&["check", ".", "--deny-warnings"], dir.path());
    assert_eq!(code(&denied), 1, "{}", stderr(&denied));
}

/// A fleet of `count` definitions, each naming the next (`let a0 = a1`, ...).
fn chained(count: usize, line: impl Fn(usize) -> String, last: String) -> Vec<u8> {
    let mut text = String::from("fleet t { repo = \"https://github.com/t/gitops\" }\nenv dev {}\n");
    for index in 0..count {
        text.push_str(&line(index));
        text.push('\n');
    }
    text.push_str(&last);
    text.push('\n');
    text.into_bytes()
}

#[test]
fn long_chains_of_definitions_are_diagnostics_not_a_stack_overflow() {
    const COUNT: usize = 5_000;
    let lets = chained(
        COUNT,
        |i| format!("let a{i} = a{}", i + 1),
        format!("let a{COUNT} = 1"),
    );
    let templates = chained(
        COUNT,
        |i| format!("template t{i}: t{} {{}}", i + 1),
        format!("template t{COUNT}: Team {{}}"),
    );
    for (what, text) in [("lets", lets), ("templates", templates)] {
        let output = check(&[("fleet.fleet", &text)]);
        assert_eq!(code(&output), 1, "{what}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("E0211"),
            "{what}: {}",
            stderr(&output)
        );
    }
    // Aliases are followed in a loop, not by recursion: any length is fine.
    let types = chained(
        COUNT,
        |i| format!("type T{i} = T{}", i + 1),
        format!("type T{COUNT} = Int\nlet x: T0 = 1"),
    );
    let output = check(&[("fleet.fleet", &types)]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}
