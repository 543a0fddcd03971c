//! The editor set-ups under `editors/`: the VS Code grammar's snapshot test
//! (`editors/vscode/test/tokenize.js`, run with Node.js) passes, and the Helix and
//! Neovim configurations start the server as `fleet lsp`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// The text with every run of white space made one space, so a check does not
/// depend on how a file is laid out.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn vscode_grammar_snapshots_pass() {
    let extension = root().join("editors/vscode");
    let installed = || {
        extension.join("node_modules/vscode-textmate").is_dir()
            && extension.join("node_modules/vscode-oniguruma").is_dir()
    };
    if !installed() {
        // A fresh clone: install the test's packages from the lockfile, as
        // `.ci/run` does, so that `cargo test` alone works.
        let status = Command::new("npm")
            .args([
                "ci",
                "--prefix",
                "editors/vscode",
                "--no-audit",
                "--no-fund",
            ])
            .current_dir(root())
            .status()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot run `npm` (Node.js and npm are needed for the grammar test): {error}"
                )
            });
        assert!(
            status.success() && installed(),
            "`npm ci --prefix editors/vscode` failed ({status}): the grammar test needs its packages"
        );
    }
    let output = Command::new("node")
        .arg(Path::new("editors/vscode/test/tokenize.js"))
        .current_dir(root())
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run `node` (Node.js is needed for the grammar test): {error}")
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`node editors/vscode/test/tokenize.js` failed ({}).\n\
         If the new tokens are right, run `UPDATE_SNAPSHOTS=1 npm test --prefix editors/vscode` \
         and review the snapshots with git diff.\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains(" passed, 0 failed"),
        "the grammar test printed no summary:\n{stdout}\n{stderr}"
    );
}

#[test]
fn editor_setups_start_fleet_lsp() {
    let helix = squeezed(&read("editors/helix/languages.toml"));
    for expected in [
        "[[language]]",
        r#"name = "fleet""#,
        r#"scope = "source.fleet""#,
        r#"file-types = ["fleet"]"#,
        r#"language-servers = ["fleet"]"#,
        "[language-server.fleet]",
        r#"command = "fleet""#,
        r#"args = ["lsp"]"#,
    ] {
        assert!(
            helix.contains(expected),
            "editors/helix/languages.toml lacks `{expected}`"
        );
    }

    let neovim_lsp = squeezed(&read("editors/neovim/lsp/fleet.lua"));
    for expected in [
        "cmd = { 'fleet', 'lsp' }",
        "filetypes = { 'fleet' }",
        "root_dir = function(bufnr, on_dir)",
    ] {
        assert!(
            neovim_lsp.contains(expected),
            "editors/neovim/lsp/fleet.lua lacks `{expected}`"
        );
    }
    assert!(
        read("editors/neovim/ftdetect/fleet.lua")
            .contains("vim.filetype.add({ extension = { fleet = 'fleet' } })"),
        "editors/neovim/ftdetect/fleet.lua does not map `.fleet` to the filetype `fleet`"
    );
    assert!(
        read("editors/neovim/ftplugin/fleet.lua").contains("commentstring = '// %s'"),
        "editors/neovim/ftplugin/fleet.lua does not set the commentstring"
    );
    assert!(
        read("editors/neovim/syntax/fleet.vim").contains("let b:current_syntax = 'fleet'"),
        "editors/neovim/syntax/fleet.vim is not a syntax file for `fleet`"
    );

    let vscode = squeezed(&read("editors/vscode/package.json"));
    for expected in [
        r#""name": "fleet-lang""#,
        r#""fleet.server.path": {"#,
        r#""default": "fleet""#,
        r#""fleet.server.extraArgs": {"#,
        r#""scopeName": "source.fleet""#,
    ] {
        assert!(
            vscode.contains(expected),
            "editors/vscode/package.json lacks `{expected}`"
        );
    }
    assert!(
        read("editors/vscode/extension.js").contains("args: ['lsp', ...extraArgs"),
        "editors/vscode/extension.js does not start `fleet lsp`"
    );
}
