// The VS Code client of the fleet language server: starts `fleet lsp` over stdio
// for `.fleet` files. Plain CommonJS, no build step: VS Code loads this file as is.

'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, RevealOutputChannelOn } = require('vscode-languageclient/node');

const INSTALL_HINT =
  'Install it with `cargo install --path .` in a clone of the fleet repository, ' +
  'or set `fleet.server.path` to the binary.';

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let outputChannel;

/** `~/x` and `${userHome}/x` to the home folder; `${workspaceFolder}` to the first folder. */
function expandPath(value) {
  let expanded = value.trim();
  const home = os.homedir();
  if (expanded === '~') expanded = home;
  else if (expanded.startsWith('~/') || expanded.startsWith('~\\')) expanded = path.join(home, expanded.slice(2));
  expanded = expanded.replace(/\$\{userHome\}/g, home);
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (folder) expanded = expanded.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath);
  return expanded;
}

function isExecutableFile(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path of the command `fleet.server.path` names, or undefined when
 * there is no such executable: a path is taken as it is (relative to the first
 * workspace folder), a bare name is looked up on PATH as the shell would.
 */
function resolveCommand(command) {
  if (command.includes('/') || command.includes('\\')) {
    const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
    const absolute = path.isAbsolute(command) || !folder ? command : path.join(folder.uri.fsPath, command);
    return isExecutableFile(absolute) ? absolute : undefined;
  }
  const extensions =
    process.platform === 'win32' ? ['', ...(process.env.PATHEXT || '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, command + extension);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  // The usual place of `cargo install`, which a desktop session's PATH may lack.
  const cargoBin = path.join(os.homedir(), '.cargo', 'bin', command + (process.platform === 'win32' ? '.exe' : ''));
  return isExecutableFile(cargoBin) ? cargoBin : undefined;
}

function serverSettings() {
  const configuration = vscode.workspace.getConfiguration('fleet');
  const command = expandPath(configuration.get('server.path') || 'fleet');
  const extraArgs = configuration.get('server.extraArgs') || [];
  return { command, args: ['lsp', ...extraArgs.map(String)] };
}

async function showMissingBinary(command) {
  const openSettings = 'Open Settings';
  const choice = await vscode.window.showErrorMessage(
    `fleet: cannot start the language server: \`${command}\` was not found` +
      `${command.includes('/') || command.includes('\\') ? '' : ' on PATH'}. ${INSTALL_HINT}`,
    openSettings,
  );
  if (choice === openSettings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'fleet.server');
  }
}

async function startClient() {
  const { command, args } = serverSettings();
  const resolved = resolveCommand(command);
  if (!resolved) {
    outputChannel.appendLine(`[fleet] \`${command}\` not found (PATH=${process.env.PATH || ''})`);
    // Not awaited: the promise settles only when the notification is closed, and
    // activation must not wait for that.
    void showMissingBinary(command);
    return;
  }
  outputChannel.appendLine(`[fleet] starting ${resolved} ${args.join(' ')}`);

  // An `Executable` with no `transport` talks over stdin and stdout. (Setting
  // `transport: TransportKind.stdio` would add `--stdio` to the arguments, which
  // `fleet lsp` does not take.)
  const serverOptions = { command: resolved, args };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'fleet' },
      { scheme: 'untitled', language: 'fleet' },
    ],
    // No `synchronize.fileEvents`: the server registers its own watchers for the
    // `.fleet` files of the folder (`client/registerCapability`), so a file created,
    // changed or deleted outside the editor is seen once, not twice.
    outputChannel,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };

  client = new LanguageClient('fleet', 'fleet', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const message = error && error.message ? error.message : String(error);
    outputChannel.appendLine(`[fleet] the language server did not start: ${message}`);
    const showOutput = 'Show Output';
    void vscode.window
      .showErrorMessage(`fleet: the language server (\`${resolved} ${args.join(' ')}\`) did not start: ${message}`, showOutput)
      .then((choice) => {
        if (choice === showOutput) outputChannel.show(true);
      });
    const failed = client;
    client = undefined;
    await failed.dispose().catch(() => {});
  }
}

async function stopClient() {
  if (!client) return;
  const running = client;
  client = undefined;
  try {
    await running.stop();
  } catch (error) {
    outputChannel.appendLine(`[fleet] stopping the language server: ${error && error.message ? error.message : error}`);
  }
}

async function restartClient() {
  await stopClient();
  await startClient();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  outputChannel = vscode.window.createOutputChannel('fleet');
  context.subscriptions.push(
    outputChannel,
    vscode.commands.registerCommand('fleet.restartServer', restartClient),
    vscode.commands.registerCommand('fleet.showOutput', () => outputChannel.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('fleet.server')) restartClient();
    }),
  );
  await startClient();
}

async function deactivate() {
  await stopClient();
}

module.exports = { activate, deactivate };
