#!/usr/bin/env node
// The TextMate grammar's test: tokenizes every `.fleet` file of `examples/` and of
// `test/fixtures/` with the grammar, as VS Code does (vscode-textmate with the
// Oniguruma regex engine), and compares the tokens with a snapshot per file under
// `test/snapshots/`. `UPDATE_SNAPSHOTS=1` rewrites the snapshots; review them with
// `git diff` before committing.
//
// It also checks, with no snapshot to update:
// - every regex of the grammar compiles;
// - the keywords come from the lexer: the reserved words and the declaration words
//   are read from `compiler/src/syntax/kind.rs`, the fixtures must use each of them,
//   and in every tokenized file each reserved word in code gets a keyword scope and
//   each declaration word that starts a declaration in column 0 gets one too;
// - no non-blank text of a tokenized file is left with only the root scope;
// - the regexes of `language-configuration.json` compile, and its word pattern
//   takes `payment-service` and `256Mi` as one word each.

'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const EXTENSION = path.resolve(__dirname, '..');
const ROOT = path.resolve(EXTENSION, '..', '..');
const GRAMMAR = path.join(EXTENSION, 'syntaxes', 'fleet.tmLanguage.json');
const LANGUAGE_CONFIGURATION = path.join(EXTENSION, 'language-configuration.json');
const KIND_RS = path.join(ROOT, 'compiler', 'src', 'syntax', 'kind.rs');
const FIXTURES = path.join(__dirname, 'fixtures');
const SNAPSHOTS = path.join(__dirname, 'snapshots');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
const ROOT_SCOPE = 'source.fleet';

const problems = [];
/** Whether a snapshot is missing or differs (then updating may be the fix). */
let snapshotsDiffer = false;

function problem(message) {
  problems.push(message);
}

// ---- the grammar -----------------------------------------------------------------

async function loadOniguruma() {
  const wasmPath = require.resolve('vscode-oniguruma/release/onig.wasm');
  const wasm = fs.readFileSync(wasmPath);
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
}

async function loadGrammar() {
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== ROOT_SCOPE) return null;
      return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR);
    },
  });
  const grammar = await registry.loadGrammar(ROOT_SCOPE);
  if (!grammar) throw new Error(`cannot load ${GRAMMAR}`);
  return grammar;
}

/** Compiles each regex of the grammar, so one in a rule no file reaches is checked too. */
function checkRegexesCompile(raw) {
  let count = 0;
  const walk = (node, where) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, `${where}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (['match', 'begin', 'end', 'while'].includes(key) && typeof value === 'string') {
        count += 1;
        try {
          new oniguruma.OnigScanner([value]).dispose();
        } catch (error) {
          problem(`the grammar's regex at ${where}.${key} does not compile: ${error.message}\n  ${value}`);
        }
      } else {
        walk(value, `${where}.${key}`);
      }
    }
  };
  walk(raw, 'grammar');
  if (count < 50) problem(`found only ${count} regexes in the grammar: is ${GRAMMAR} complete?`);
}

// ---- the lexer's words -----------------------------------------------------------

/** The words of a `match` in one function of kind.rs: `"import" => IMPORT_KW,`. */
function wordsOfFunction(source, name) {
  const start = source.indexOf(`pub fn ${name}(`);
  if (start < 0) throw new Error(`${KIND_RS} has no \`pub fn ${name}\``);
  const end = source.indexOf('\n}\n', start);
  const body = source.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/"([A-Za-z_][A-Za-z0-9_-]*)"\s*=>/g)].map((m) => m[1]);
}

function lexerWords() {
  const source = fs.readFileSync(KIND_RS, 'utf8');
  const reserved = wordsOfFunction(source, 'reserved_keyword');
  const declaration = wordsOfFunction(source, 'declaration_keyword');
  // Sanity: the language has 14 reserved words and 13 declaration words today; far
  // fewer means the functions above changed shape and the parsing here is wrong.
  if (reserved.length < 10 || declaration.length < 10) {
    throw new Error(
      `read ${reserved.length} reserved and ${declaration.length} declaration words from ${KIND_RS}; ` +
        'has `reserved_keyword` or `declaration_keyword` changed shape?',
    );
  }
  return { reserved: new Set(reserved), declaration: new Set(declaration) };
}

// ---- tokenizing ------------------------------------------------------------------

function fleetFiles(dir) {
  const found = [];
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...fleetFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.fleet')) found.push(full);
  }
  return found.sort();
}

/** The tokens of a file: 1-based line, 1-based column in characters, text, scopes. */
function tokenize(grammar, text) {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((line) => line.replace(/\r$/, ''));
  const tokens = [];
  let stack = vsctm.INITIAL;
  lines.forEach((line, index) => {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      const tokenText = line.slice(token.startIndex, Math.min(token.endIndex, line.length));
      if (tokenText === '') continue;
      tokens.push({
        line: index + 1,
        column: [...line.slice(0, token.startIndex)].length + 1,
        offset: token.startIndex,
        text: tokenText,
        scopes: token.scopes.slice(1),
      });
    }
    stack = result.ruleStack;
  });
  return { lines, tokens };
}

function snapshotOf(tokens) {
  return (
    tokens
      .filter((token) => !(token.scopes.length === 0 && token.text.trim() === ''))
      .map((token) => `${token.line}:${token.column} ${JSON.stringify(token.text)} ${token.scopes.join(' ')}`.trimEnd())
      .join('\n') + '\n'
  );
}

/** Whether a token is code: outside any string or comment, or in an interpolation. */
function isCode(scopes) {
  let code = true;
  for (const scope of scopes) {
    if (/^(string\.|comment\.|invalid\.illegal\.hash-comment\.)/.test(scope)) code = false;
    if (scope.startsWith('meta.embedded.')) code = true;
  }
  return code;
}

const KEYWORD_SCOPE = /^(keyword|storage|constant\.language)\./;

/** The token that covers a character offset of a line. */
function tokenAt(tokensOfLine, offset) {
  return tokensOfLine.find((token) => token.offset <= offset && offset < token.offset + token.text.length);
}

/**
 * Checks the keywords and the unscoped text of one tokenized file. Returns the
 * keywords seen in code, to check that the fixtures use them all.
 */
function checkScopes(name, { lines, tokens }, words) {
  const seen = new Set();
  const byLine = new Map();
  for (const token of tokens) {
    if (!byLine.has(token.line)) byLine.set(token.line, []);
    byLine.get(token.line).push(token);
    if (token.scopes.length === 0 && token.text.trim() !== '') {
      problem(`${name}:${token.line}:${token.column}: ${JSON.stringify(token.text)} has only the root scope`);
    }
  }
  // Words as the lexer cuts them (a number takes its unit: `1h30m` holds no word).
  const WORD = /[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:%|[A-Za-z][A-Za-z0-9]*)?|[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/g;
  lines.forEach((line, index) => {
    const tokensOfLine = byLine.get(index + 1) || [];
    for (const match of line.matchAll(WORD)) {
      const word = match[0];
      const token = tokenAt(tokensOfLine, match.index);
      if (!token || !isCode(token.scopes)) continue;
      const where = `${name}:${index + 1}:${[...line.slice(0, match.index)].length + 1}`;
      const scoped = token.scopes.some((scope) => KEYWORD_SCOPE.test(scope));
      if (words.reserved.has(word)) {
        // After `.`, a reserved word is a field name (`spec.for`).
        if (/\.[ \t]*$/.test(line.slice(0, match.index)) && !/\.\.[ \t]*$/.test(line.slice(0, match.index))) continue;
        seen.add(word);
        if (!scoped) problem(`${where}: the reserved word \`${word}\` is scoped ${token.scopes.join(' ') || '(nothing)'}, not as a keyword`);
      } else if (words.declaration.has(word) && match.index === 0) {
        // In column 0 and followed by a name or a string, it starts a declaration
        // (the parser's `starts_declaration`; `require` starts an assertion there).
        const rest = line.slice(word.length);
        const starts = word === 'require' ? !/^[ \t]*(?:=(?!=)|\+=|-=|\.|\{|:|\}|,)/.test(rest) : /^[ \t]+[A-Za-z_"]/.test(rest);
        if (!starts) continue;
        seen.add(word);
        if (!scoped) problem(`${where}: the declaration word \`${word}\` is scoped ${token.scopes.join(' ') || '(nothing)'}, not as a keyword`);
      }
    }
  });
  return seen;
}

// ---- snapshots and diffs ---------------------------------------------------------

/** A line diff with 3 lines of context, in the style of `diff -u`. */
function unifiedDiff(expected, actual, expectedName, actualName) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix += 1;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) {
    suffix += 1;
  }
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  // Edit script of the differing middle, by longest common subsequence.
  const ops = [];
  if (midA.length * midB.length > 25_000_000) {
    midA.forEach((line) => ops.push(['-', line]));
    midB.forEach((line) => ops.push(['+', line]));
  } else {
    const width = midB.length + 1;
    const lcs = new Uint32Array((midA.length + 1) * width);
    for (let i = midA.length - 1; i >= 0; i -= 1) {
      for (let j = midB.length - 1; j >= 0; j -= 1) {
        lcs[i * width + j] =
          midA[i] === midB[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < midA.length || j < midB.length) {
      if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
        ops.push([' ', midA[i]]);
        i += 1;
        j += 1;
      } else if (i < midA.length && (j === midB.length || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])) {
        ops.push(['-', midA[i]]);
        i += 1;
      } else {
        ops.push(['+', midB[j]]);
        j += 1;
      }
    }
  }
  const all = [
    ...a.slice(0, prefix).map((line) => [' ', line]),
    ...ops,
    ...a.slice(a.length - suffix).map((line) => [' ', line]),
  ];
  // Hunks: the changes with 3 lines of context around each.
  const CONTEXT = 3;
  const out = [`--- ${expectedName}`, `+++ ${actualName}`];
  let lineA = 1;
  let lineB = 1;
  const positions = all.map(([op]) => {
    const at = [lineA, lineB];
    if (op !== '+') lineA += 1;
    if (op !== '-') lineB += 1;
    return at;
  });
  let k = 0;
  let printed = 0;
  while (k < all.length) {
    if (all[k][0] === ' ') {
      k += 1;
      continue;
    }
    let start = Math.max(0, k - CONTEXT);
    let end = k;
    // Extend the hunk while the next change is close.
    for (;;) {
      while (end < all.length && all[end][0] !== ' ') end += 1;
      let next = end;
      while (next < all.length && all[next][0] === ' ') next += 1;
      if (next < all.length && next - end <= 2 * CONTEXT) end = next;
      else break;
    }
    end = Math.min(all.length, end + CONTEXT);
    const hunk = all.slice(start, end);
    const countA = hunk.filter(([op]) => op !== '+').length;
    const countB = hunk.filter(([op]) => op !== '-').length;
    out.push(`@@ -${positions[start][0]},${countA} +${positions[start][1]},${countB} @@`);
    for (const [op, line] of hunk) out.push(op + line);
    printed += hunk.length;
    if (printed > 400) {
      out.push('... (diff cut here)');
      break;
    }
    k = end;
  }
  return out.join('\n');
}

// ---- language-configuration.json -------------------------------------------------

function checkLanguageConfiguration() {
  const configuration = JSON.parse(fs.readFileSync(LANGUAGE_CONFIGURATION, 'utf8'));
  const regexes = [];
  const collect = (node, where) => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string' && /Pattern$|^(beforeText|afterText|previousLineText|start|end)$/.test(key)) {
        regexes.push([`${where}.${key}`, value]);
      } else {
        collect(value, `${where}.${key}`);
      }
    }
  };
  collect(configuration, 'language-configuration');
  for (const [where, source] of regexes) {
    try {
      new RegExp(source, 'u');
    } catch (error) {
      problem(`${where} is not a valid regex: ${error.message}`);
    }
  }
  if (configuration.wordPattern) {
    const word = new RegExp(configuration.wordPattern, 'gu');
    for (const [text, expected] of [
      ['app payment-service {', 'payment-service'],
      ['memory = 256Mi', '256Mi'],
      ['cluster production-asia-south1: eks', 'production-asia-south1'],
    ]) {
      const words = text.match(word) || [];
      if (!words.includes(expected)) problem(`the wordPattern cuts ${JSON.stringify(text)} into ${JSON.stringify(words)}, without ${JSON.stringify(expected)}`);
    }
  } else {
    problem('language-configuration.json has no wordPattern');
  }
}

// ---- main --------------------------------------------------------------------------

async function main() {
  await loadOniguruma();
  checkRegexesCompile(JSON.parse(fs.readFileSync(GRAMMAR, 'utf8')));
  checkLanguageConfiguration();
  if (problems.length > 0) finish(0, 0);
  const grammar = await loadGrammar();
  const words = lexerWords();

  const examples = fleetFiles(path.join(ROOT, 'examples')).map((file) => ({
    file,
    name: path.relative(ROOT, file),
  }));
  const fixtures = fleetFiles(FIXTURES).map((file) => ({
    file,
    name: path.join('fixtures', path.relative(FIXTURES, file)),
  }));
  if (examples.length === 0) problem(`no .fleet file under ${path.join(ROOT, 'examples')}`);
  if (fixtures.length === 0) problem(`no .fleet file under ${FIXTURES}`);

  let passed = 0;
  let failed = 0;
  const expectedSnapshots = new Set();
  const seenInFixtures = new Set();
  for (const { file, name } of [...examples, ...fixtures]) {
    const displayName = name.split(path.sep).join('/');
    const before = problems.length;
    let tokenized;
    try {
      tokenized = tokenize(grammar, fs.readFileSync(file, 'utf8'));
    } catch (error) {
      problem(`tokenizing ${displayName} failed: ${error && error.stack ? error.stack : error}`);
      failed += 1;
      continue;
    }
    const seen = checkScopes(displayName, tokenized, words);
    if (name.startsWith('fixtures')) seen.forEach((word) => seenInFixtures.add(word));

    const snapshot = path.join(SNAPSHOTS, `${name}.scopes`);
    expectedSnapshots.add(path.resolve(snapshot));
    const actual = snapshotOf(tokenized.tokens);
    const expected = fs.existsSync(snapshot) ? fs.readFileSync(snapshot, 'utf8') : null;
    const snapshotName = path.relative(EXTENSION, snapshot).split(path.sep).join('/');
    if (UPDATE) {
      if (expected !== actual) {
        fs.mkdirSync(path.dirname(snapshot), { recursive: true });
        fs.writeFileSync(snapshot, actual);
        console.log(`updated ${snapshotName}`);
      }
    } else if (expected === null) {
      snapshotsDiffer = true;
      problem(`${snapshotName} is missing: run \`UPDATE_SNAPSHOTS=1 npm test\` in editors/vscode and review it`);
    } else if (expected !== actual) {
      snapshotsDiffer = true;
      problem(
        `the tokens of ${displayName} differ from ${snapshotName}:\n` +
          unifiedDiff(expected, actual, `${snapshotName} (snapshot)`, `${displayName} (tokens now)`),
      );
    }
    if (problems.length === before) passed += 1;
    else failed += 1;
  }

  for (const word of [...words.reserved, ...words.declaration]) {
    if (!seenInFixtures.has(word)) {
      problem(
        `the fixtures never use the ${words.reserved.has(word) ? 'reserved' : 'declaration'} word \`${word}\` of the lexer` +
          `${words.reserved.has(word) ? '' : ' (in column 0, starting a declaration)'}: add it to a file of test/fixtures/`,
      );
    }
  }

  // Snapshots of files that no longer exist.
  const stale = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!expectedSnapshots.has(path.resolve(full))) stale.push(full);
    }
  };
  walk(SNAPSHOTS);
  for (const file of stale) {
    const relative = path.relative(EXTENSION, file).split(path.sep).join('/');
    if (UPDATE) {
      fs.unlinkSync(file);
      console.log(`removed ${relative}, whose .fleet file is gone`);
    } else {
      problem(`${relative} belongs to no .fleet file: delete it, or run with UPDATE_SNAPSHOTS=1`);
    }
  }

  finish(passed, failed);
}

function finish(passed, failed) {
  for (const message of problems) console.error(`${message}\n`);
  console.log(`grammar snapshots: ${passed} passed, ${failed} failed`);
  if (problems.length > 0) {
    console.error(
      `${problems.length} problem(s)` +
        (snapshotsDiffer
          ? '; if the new tokens are right, run `UPDATE_SNAPSHOTS=1 npm test` in editors/vscode ' +
            'and review the snapshots with git diff'
          : ''),
    );
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
