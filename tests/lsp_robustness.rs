//! The language server never exits on bad input: random bytes, a 5 MB document,
//! positions past the end, unknown documents and methods, edits arriving while a
//! request runs, non-ASCII text. And the folder is the workspace: files created or
//! deleted on disk are picked up. Each test drives the real `fleet lsp` binary.

use fleet_bench::lsp_client::{Client, file_uri};
use serde_json::{Value, json};
use std::path::Path;
use tempfile::TempDir;

const FLEET: &str = "fleet acme {\n  repo = \"https://github.com/acme/gitops\"\n}\n\nenv dev {}\n";

const CLUSTER: &str = "cluster dev-eu: Cluster {
  cloud = aws
  region = \"eu-west-1\"
  env = dev
  kubernetes = \"1.35\"
  node_groups = [{ name = \"system\", instance = \"m6i.large\", min = 2, max = 4 }]
}
";

struct Session {
    client: Client,
    root: TempDir,
    _cache: TempDir,
}

impl Session {
    fn start(files: &[(&str, &str)]) -> Session {
        let root = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(root.path().join(name), text).unwrap();
        }
        let client = Client::start(
            Path::new(env!("CARGO_BIN_EXE_fleet")),
            Some(root.path()),
            cache.path(),
        );
        Session {
            client,
            root,
            _cache: cache,
        }
    }

    fn uri(&self, name: &str) -> String {
        file_uri(&self.root.path().join(name))
    }

    fn open(&mut self, name: &str, text: &str) -> Vec<Value> {
        let uri = self.uri(name);
        self.client.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "fleet", "version": 1, "text": text } }),
        );
        self.client.diagnostics_for(&uri)
    }

    fn change(&mut self, name: &str, version: i32, changes: Value) {
        let uri = self.uri(name);
        self.client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    fn at(&self, name: &str, line: u32, character: u32) -> Value {
        json!({ "textDocument": { "uri": self.uri(name) }, "position": { "line": line, "character": character } })
    }

    /// Every request of the server at `(line, character)` of `name`: each is
    /// answered (a result, or an error that is not an internal one).
    fn ask_everything(&mut self, name: &str, line: u32, character: u32) {
        let uri = self.uri(name);
        let requests = [
            ("textDocument/hover", self.at(name, line, character)),
            ("textDocument/definition", self.at(name, line, character)),
            (
                "textDocument/documentSymbol",
                json!({ "textDocument": { "uri": uri } }),
            ),
            (
                "textDocument/formatting",
                json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
            ),
        ];
        for (method, params) in requests {
            let response = self.client.request(method, params);
            if let Some(error) = response.get("error") {
                assert_ne!(error["code"], -32603, "{method} failed inside: {response}");
            }
        }
        assert!(self.client.is_running());
    }
}

/// Bytes from a fixed-seed generator (xorshift), as text the way an editor would
/// send a binary file it opened: invalid UTF-8 replaced.
fn random_text(seed: u64, len: usize) -> String {
    let mut state = seed;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn a_document_of_random_bytes() {
    let mut session = Session::start(&[("fleet.fleet", FLEET)]);
    for seed in 1..=4 {
        let text = random_text(seed, 4096);
        session.open("random.fleet", &text);
        for (line, character) in [(0, 0), (3, 7), (10, 200), (40, 1)] {
            session.ask_everything("random.fleet", line, character);
        }
        session.client.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": session.uri("random.fleet") } }),
        );
        session.client.diagnostics_for(&session.uri("random.fleet"));
    }
    assert_eq!(session.client.shutdown(), Some(0));
}

#[test]
fn a_five_megabyte_document() {
    let mut session = Session::start(&[("fleet.fleet", FLEET)]);
    // Clusters with long doc comments: thousands of declarations to check, and
    // megabytes to parse, index and convert positions in.
    let doc = format!(
        "/// {}\n",
        "Runs the shop's checkout; paged at night. ".repeat(4)
    )
    .repeat(12);
    let mut text = String::new();
    let mut index = 0;
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&doc);
        text.push_str(&CLUSTER.replace("dev-eu", &format!("dev-eu-{index}")));
        index += 1;
    }
    let diagnostics = session.open("big.fleet", &text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // A hover near the end: the last cluster's name.
    let last_line = text.lines().count() as u32 - 7;
    let response = session
        .client
        .request("textDocument/hover", session.at("big.fleet", last_line, 10));
    let hover = response["result"]["contents"]["value"]
        .as_str()
        .unwrap_or("");
    assert!(
        hover.contains(&format!("dev-eu-{}", index - 1)),
        "{response}"
    );
    session.ask_everything("big.fleet", last_line, 10);
    assert_eq!(session.client.shutdown(), Some(0));
}

#[test]
fn positions_past_the_end_and_unknown_documents_and_methods() {
    let mut session = Session::start(&[("fleet.fleet", FLEET)]);
    session.open("fleet.fleet", FLEET);
    session.ask_everything("fleet.fleet", 9999, 9999);
    session.ask_everything("fleet.fleet", 0, 9999);
    // A document the server was never told about, in the folder and elsewhere.
    session.ask_everything("nowhere.fleet", 1, 1);
    let response = session.client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///no/such/place.fleet" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(response["result"], Value::Null, "{response}");
    let response = session.client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "untitled:Untitled-1" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(response["result"], Value::Null, "{response}");
    // An unknown method is an error response, an unknown notification nothing.
    let response = session.client.request("fleet/noSuchThing", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    session
        .client
        .notify("fleet/noSuchNotification", json!({ "x": 1 }));
    // Parameters of the wrong shape.
    let response = session
        .client
        .request("textDocument/hover", json!({ "position": "here" }));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    // Edits with positions past the end land at the end.
    session.change(
        "fleet.fleet",
        2,
        json!([{ "range": { "start": { "line": 99, "character": 0 }, "end": { "line": 120, "character": 3 } }, "text": "\nenv staging {}\n" }]),
    );
    let diagnostics = session.client.diagnostics_for(&session.uri("fleet.fleet"));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let response = session
        .client
        .request("textDocument/hover", session.at("fleet.fleet", 6, 5));
    assert!(
        response["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|text| text.contains("env staging")),
        "{response}"
    );
    assert_eq!(session.client.shutdown(), Some(0));
}

#[test]
fn edits_arriving_while_requests_run() {
    let text = format!("{FLEET}\n{CLUSTER}");
    let mut session = Session::start(&[("fleet.fleet", &text)]);
    session.open("fleet.fleet", &text);
    let mut ids = Vec::new();
    for version in 2..40 {
        // A request, then at once an edit that changes what it asks about.
        ids.push(
            session
                .client
                .send_request("textDocument/hover", session.at("fleet.fleet", 10, 3)),
        );
        let replica = if version % 2 == 0 { "3" } else { "4" };
        session.change(
            "fleet.fleet",
            version,
            json!([{ "range": { "start": { "line": 10, "character": 15 }, "end": { "line": 10, "character": 21 } }, "text": format!("\"1.3{replica}\"") }]),
        );
    }
    for id in ids {
        let response = session.client.response(id);
        match response.get("error") {
            // The edit cancelled it: the editor asks again.
            Some(error) => assert_eq!(error["code"], -32801, "{response}"),
            None => assert!(response["result"].is_object(), "{response}"),
        }
    }
    // The last state is what the server has: `kubernetes = "1.34"` (version 39).
    let response = session
        .client
        .request("textDocument/hover", session.at("fleet.fleet", 10, 4));
    assert!(
        response["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|text| text.contains("\\\"1.34\\\"") || text.contains("\"1.34\"")),
        "{response}"
    );
    assert_eq!(session.client.shutdown(), Some(0));
}

#[test]
fn non_ascii_positions_are_utf16() {
    // "🚀" is 2 UTF-16 units and 4 bytes; "漢字" 2 units and 6 bytes.
    let text = format!(
        "{FLEET}// 🚀 漢字\nteam web {{ owners = [\"@acme/🚀漢字\"], namespaces = [\"web\"] }} // 🚀\n"
    );
    let mut session = Session::start(&[("fleet.fleet", &text)]);
    session.open("fleet.fleet", &text);
    // Hover on `namespaces`, after the emoji and CJK on its line.
    let line = 6;
    let line_text = text.lines().nth(line as usize).unwrap();
    let byte = line_text.find("namespaces").unwrap();
    let column = line_text[..byte].encode_utf16().count() as u32;
    let response = session.client.request(
        "textDocument/hover",
        session.at("fleet.fleet", line, column + 2),
    );
    let range = &response["result"]["range"];
    assert_eq!(range["start"]["character"], column, "{response}");
    assert_eq!(range["end"]["character"], column + 10, "{response}");
    // An edit just after the emoji, in UTF-16 columns, lands after it.
    let emoji = line_text.find('🚀').unwrap();
    let after_emoji = line_text[..emoji].encode_utf16().count() as u32 + 2;
    session.change(
        "fleet.fleet",
        2,
        json!([{ "range": { "start": { "line": line, "character": after_emoji }, "end": { "line": line, "character": after_emoji } }, "text": "x" }]),
    );
    session.client.diagnostics_for(&session.uri("fleet.fleet"));
    let response = session.client.request(
        "textDocument/hover",
        session.at("fleet.fleet", line, column + 3),
    );
    assert_eq!(
        response["result"]["range"]["start"]["character"],
        column + 1,
        "the `x` went after the emoji: {response}"
    );
    assert_eq!(session.client.shutdown(), Some(0));
}

#[test]
fn files_created_and_deleted_on_disk_are_picked_up() {
    let mut session = Session::start(&[("fleet.fleet", FLEET)]);
    session.open("fleet.fleet", FLEET);
    // The server asked the editor to report `.fleet` files changing on disk.
    let registration = session
        .client
        .server_requests
        .iter()
        .find(|request| request["method"] == "client/registerCapability")
        .expect("the server registers a file watcher");
    assert_eq!(
        registration["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    assert_eq!(
        registration["params"]["registrations"][0]["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.fleet"
    );
    // A cluster file appears on disk, declaring a cluster twice.
    let path = session.root.path().join("clusters.fleet");
    std::fs::write(&path, format!("{CLUSTER}{CLUSTER}")).unwrap();
    let uri = session.uri("clusters.fleet");
    session.client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri, "type": 1 }] }),
    );
    let diagnostics = session.client.diagnostics_for(&uri);
    assert!(
        diagnostics
            .iter()
            .any(|diagnostic| diagnostic["code"] == "E0201"),
        "{diagnostics:?}"
    );
    // It goes away: its diagnostics are cleared.
    std::fs::remove_file(&path).unwrap();
    session.client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri, "type": 3 }] }),
    );
    let diagnostics = session.client.diagnostics_for(&uri);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(session.client.shutdown(), Some(0));
}

#[test]
fn an_open_document_overrides_the_disk_and_closing_it_goes_back() {
    let with_error = format!("{FLEET}env dev {{}}\n");
    let mut session = Session::start(&[("fleet.fleet", &with_error)]);
    let diagnostics = session.open("fleet.fleet", FLEET);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    session.client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": session.uri("fleet.fleet") } }),
    );
    let diagnostics = session.client.diagnostics_for(&session.uri("fleet.fleet"));
    assert!(
        diagnostics
            .iter()
            .any(|diagnostic| diagnostic["code"] == "E0201"),
        "the disk's text (env declared twice) is back: {diagnostics:?}"
    );
    assert_eq!(session.client.shutdown(), Some(0));
}

/// A file large enough to be evaluated in chunks on both cores, edited faster
/// than its diagnostics are computed: each edit cancels the chunks being
/// evaluated, the server stays up, and what it publishes last is the last text's,
/// one diagnostic for a problem every iteration shares.
#[test]
fn rapid_edits_to_a_file_evaluated_in_parallel() {
    let fleet = |region: &str| {
        format!(
            "{FLEET}\nfor i in range(3000) {{\n  cluster \"c-${{i}}\": Cluster {{\n    cloud = aws\n    region = \"{region}\"\n    env = dev\n    kubernetes = \"1.35\"\n    node_groups = [{{ name = \"system\", instance = \"m6i.large\", min = 1, max = 3 }}]\n  }}\n}}\n"
        )
    };
    let text = fleet("eu-west-1");
    let mut session = Session::start(&[("fleet.fleet", &text)]);
    assert_eq!(session.open("fleet.fleet", &text), Vec::<Value>::new());
    let regions = ["eu-west-9", "eu-west-1", "us-east-1", "eu-west-8"];
    for version in 2..30 {
        let region = match version {
            29 => "xx-west-7",
            _ => regions[version as usize % regions.len()],
        };
        session.change("fleet.fleet", version, json!([{ "text": fleet(region) }]));
    }
    let uri = session.uri("fleet.fleet");
    let last = loop {
        let diagnostics = session.client.diagnostics_for(&uri);
        if diagnostics.iter().any(|diagnostic| {
            diagnostic["message"]
                .as_str()
                .is_some_and(|m| m.contains("xx-west-7"))
        }) {
            break diagnostics;
        }
    };
    assert_eq!(last.len(), 1, "{last:#?}");
    assert!(session.client.is_running());
    assert_eq!(session.client.shutdown(), Some(0));
}
