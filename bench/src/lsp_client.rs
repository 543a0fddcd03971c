//! A language server client for tests and benchmarks: starts `fleet lsp` as a
//! child process and talks to it over stdio the way an editor does (framed
//! JSON-RPC), answering the server's own requests (`client/registerCapability`)
//! and keeping the notifications it sends (`publishDiagnostics`) for the caller.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long a test waits for a message before it fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(60);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received and not taken yet, in order.
    pub notifications: Vec<Value>,
    /// The requests the server sent (all answered with a `null` result).
    pub server_requests: Vec<Value>,
}

impl Client {
    /// Starts `binary lsp` and completes the handshake with `root` as the
    /// workspace folder (`None`: no folder, as an editor opening a lone file).
    /// The stdlib copy the server writes goes under `cache`.
    pub fn start(binary: &Path, root: Option<&Path>, cache: &Path) -> Client {
        let mut child = Command::new(binary)
            .arg("lsp")
            .env("XDG_CACHE_HOME", cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the fleet binary starts");
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            notifications: Vec::new(),
            server_requests: Vec::new(),
        };
        let root_uri = root.map(file_uri);
        let folders = root_uri
            .as_ref()
            .map(|uri| json!([{ "uri": uri, "name": "fleet" }]))
            .unwrap_or(Value::Null);
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": folders,
                "capabilities": {
                    "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
                    "textDocument": { "hover": { "contentFormat": ["markdown", "plaintext"] } },
                    "general": { "positionEncodings": ["utf-16"] }
                }
            }),
        );
        assert!(
            result.get("result").is_some(),
            "initialize failed: {result}"
        );
        client.notify("initialized", json!({}));
        client
    }

    pub fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|_| self.stdin.flush())
            .expect("the server reads its input");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and waits for its response (the whole message: `result`
    /// or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Waits for the response to request `id`.
    pub fn response(&mut self, id: i64) -> Value {
        loop {
            let message = self.receive();
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
        }
    }

    /// Waits for the next `publishDiagnostics` for `uri` and returns its
    /// diagnostics (notifications for other documents are kept).
    pub fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        loop {
            if let Some(position) = self.notifications.iter().position(|notification| {
                notification["method"] == "textDocument/publishDiagnostics"
                    && notification["params"]["uri"] == uri
            }) {
                let notification = self.notifications.remove(position);
                return notification["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            let message = self.receive();
            if message.get("id").is_some() && message.get("method").is_none() {
                panic!("a response nobody waits for: {message}");
            }
        }
    }

    /// Waits until diagnostics were published for every one of `uris`, each
    /// at least once; returns how many notifications that took.
    pub fn diagnostics_for_all(&mut self, uris: &[String]) -> usize {
        let mut waiting: std::collections::BTreeSet<&str> =
            uris.iter().map(String::as_str).collect();
        let mut seen = 0;
        while !waiting.is_empty() {
            let message = self.next_notification();
            if message["method"] == "textDocument/publishDiagnostics" {
                seen += 1;
                if let Some(uri) = message["params"]["uri"].as_str() {
                    waiting.remove(uri);
                }
            }
        }
        seen
    }

    fn next_notification(&mut self) -> Value {
        if !self.notifications.is_empty() {
            return self.notifications.remove(0);
        }
        loop {
            let message = self.receive();
            if !self.notifications.is_empty() {
                return self.notifications.remove(0);
            }
            if message.get("id").is_some() && message.get("method").is_none() {
                panic!("a response nobody waits for: {message}");
            }
        }
    }

    /// The next message from the server; a notification is also kept in
    /// `notifications`, a request from the server is answered.
    fn receive(&mut self) -> Value {
        let message = match self.incoming.recv_timeout(PATIENCE) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("the server sent nothing for {PATIENCE:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        };
        if message.get("method").is_some() {
            if let Some(id) = message.get("id") {
                // `client/registerCapability`: accepted.
                let id = id.clone();
                self.server_requests.push(message.clone());
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            } else {
                self.notifications.push(message.clone());
            }
        }
        message
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The server's resident memory now, from `/proc` (Linux), in bytes.
    pub fn resident_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
        let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kilobytes * 1024)
    }

    /// `shutdown`, then `exit`; returns the server's exit code.
    pub fn shutdown(mut self) -> Option<i32> {
        let response = self.request("shutdown", Value::Null);
        assert!(
            response.get("error").is_none(),
            "shutdown failed: {response}"
        );
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit after `exit`");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `file://` URI of an absolute path, percent-encoded as the server does.
pub fn file_uri(path: &Path) -> String {
    let mut text = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                text.push(byte as char)
            }
            other => text.push_str(&format!("%{other:02X}")),
        }
    }
    text
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
