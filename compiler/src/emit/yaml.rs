//! The YAML writer: [`Node`] trees to block-style YAML text, written straight into a
//! `String` as the tree is walked (no intermediate tree, no serde).
//!
//! What Kubernetes reads is YAML 1.1 (go-yaml v2 under sigs.k8s.io/yaml, kubectl,
//! Flux, Argo CD), where plain `no`, `on`, `0755`, `1:20` and `2001-12-14` are not
//! strings. **Invariant:** every string is read back as that string by YAML 1.1
//! readers (go-yaml v2 and v3, PyYAML, libyaml; `tests/yaml_1_1.rs` reads a corpus
//! back with PyYAML and libyaml, which go-yaml is a port of) and by YAML 1.2 ones.
//! A string is written plain only when it is safe; otherwise it is double-quoted, with
//! JSON-compatible escapes, or, when it spans lines, a `|` literal block (see
//! [`scalar_style`] for the rules).
//!
//! Layout: two spaces per level; a sequence under a key is indented below it; a map
//! inside a sequence starts on the `- ` line (`- name: web`) with its other keys
//! aligned under the first; empty collections are `{}` and `[]`. The output depends
//! on the tree only.

use super::document::{AsDocument, Key, Node};
use std::borrow::Cow;
use std::fmt;

/// Writes one document: its header as `# ` lines, then its root.
pub fn write_document<D: AsDocument + ?Sized>(out: &mut String, document: &D) {
    if let Some(header) = document.header() {
        write_comment(out, header);
    }
    Writer { out }.root(document.root());
}

/// Writes documents as one stream, separated by `---` lines.
pub fn write_stream<'a, D>(out: &mut String, documents: impl IntoIterator<Item = &'a D>)
where
    D: AsDocument + ?Sized + 'a,
{
    for (position, document) in documents.into_iter().enumerate() {
        if position > 0 {
            out.push_str("---\n");
        }
        write_document(out, document);
    }
}

/// [`write_stream`] to any `fmt::Write`, one document at a time through a buffer
/// (the text of one document is what is held at once).
pub fn write_stream_to<'a, W, D>(
    out: &mut W,
    documents: impl IntoIterator<Item = &'a D>,
) -> fmt::Result
where
    W: fmt::Write + ?Sized,
    D: AsDocument + ?Sized + 'a,
{
    let mut buffer = String::new();
    for (position, document) in documents.into_iter().enumerate() {
        buffer.clear();
        if position > 0 {
            buffer.push_str("---\n");
        }
        write_document(&mut buffer, document);
        out.write_str(&buffer)?;
    }
    Ok(())
}

/// The entries of a map whose keys start at column `indent`, each on its own
/// line, exactly as they are written inside a larger map at that depth: a
/// document whose last map ends with entries shared by many documents can be
/// written once without them, then have their text (written once) added.
pub fn write_entries(out: &mut String, entries: &[(Key, Node)], indent: usize) {
    Writer { out }.map(entries, indent, false);
}

/// One document as text.
pub fn to_string<D: AsDocument + ?Sized>(document: &D) -> String {
    let mut out = String::new();
    write_document(&mut out, document);
    out
}

/// Documents as one stream of text.
pub fn stream_to_string<'a, D>(documents: impl IntoIterator<Item = &'a D>) -> String
where
    D: AsDocument + ?Sized + 'a,
{
    let mut out = String::new();
    write_stream(&mut out, documents);
    out
}

/// Whether `text` is written plain (unquoted) as a key or a single-line value.
pub fn is_plain(text: &str) -> bool {
    scalar_style(text, false) == Style::Plain
}

/// How a string is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    /// `"..."` with JSON-compatible escapes (`\"`, `\\`, `\n`, `\t`, `\uXXXX`, ...).
    Quoted,
    /// A `|` literal block (with `-` or `+` chomping as the trailing line breaks
    /// require), its lines indented under the key or `- `.
    Literal,
}

/// The style `text` is written in; `literal_allowed` is false where a block scalar
/// cannot go (keys, a document that is one scalar).
///
/// Plain only when all of these hold, else quoted:
/// - it is not empty, and has no line break, tab, control character (C0, DEL, C1,
///   U+0085), U+2028, U+2029, U+FEFF, U+FFFE or U+FFFF;
/// - it does not start with a space or an indicator (`? : , [ ] { } # & * ! | > ' "
///   % @` and backtick), nor with `-` followed by a space or nothing, nor with `---`
///   or `...` (document markers); it does not end with a space or `:`; it contains
///   neither `: ` nor ` #`;
/// - no reader would resolve it to anything but a string (`implicitly_typed`:
///   YAML 1.1 booleans and nulls, `<<`, `=`, numbers in the forms of YAML 1.1,
///   YAML 1.2 and go-yaml, anything starting like a timestamp).
///
/// A string with line breaks is a literal block when allowed and exact: no
/// character that needs escaping (tab and `\r` included), and a first line that is
/// neither empty nor starts with a space (so that the block's indentation is the one
/// its first line shows); otherwise quoted.
pub fn scalar_style(text: &str, literal_allowed: bool) -> Style {
    let bytes = text.as_bytes();
    let Some(&last) = bytes.last() else {
        return Style::Quoted;
    };
    let plain = last != b' ' && last != b':' && starts_plain(bytes) && !implicitly_typed(text);
    // Most strings (names, paths, images) have none of the bytes the scan looks at.
    match first_scanned(bytes) {
        None if plain => Style::Plain,
        None => Style::Quoted,
        Some(found) => scan_from(bytes, found, plain, literal_allowed),
    }
}

/// The position of the first byte of `bytes` that [`PLAIN_SCAN`] looks at.
/// Eight bytes at a time: a word with none of them (no byte below `!`, no `#`,
/// DEL or byte of a multi-byte character) is passed over whole, and a large
/// fleet's output has millions of scalars.
fn first_scanned(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether a byte of `word` is zero (exact as to whether there is one).
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS != 0;
    let may_hold_one = |word: u64| {
        word & HIGHS != 0
            // A byte below 0x21, the others being ASCII.
            || word.wrapping_sub(ONES * 0x21) & !word & HIGHS != 0
            || has_zero(word ^ (ONES * u64::from(b'#')))
            || has_zero(word ^ (ONES * 0x7F))
    };
    let mut words = bytes.chunks_exact(8);
    let mut start = 0;
    for word in words.by_ref() {
        let value = u64::from_le_bytes(word.try_into().expect("chunks of eight"));
        if may_hold_one(value)
            && let Some(found) = word.iter().position(|&byte| PLAIN_SCAN[usize::from(byte)])
        {
            return Some(start + found);
        }
        start += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&byte| PLAIN_SCAN[usize::from(byte)])
        .map(|found| start + found)
}

/// The rest of [`scalar_style`], from the first byte the scan looks at.
fn scan_from(bytes: &[u8], found: usize, mut plain: bool, literal_allowed: bool) -> Style {
    let mut breaks = false;
    let mut previous = if found > 0 { bytes[found - 1] } else { 0 };
    for (position, &byte) in bytes.iter().enumerate().skip(found) {
        if PLAIN_SCAN[usize::from(byte)] {
            match byte {
                b'\n' => breaks = true,
                b' ' => plain &= previous != b':',
                b'#' => plain &= previous != b' ',
                0xC2 | 0xE2 | 0xEF => {
                    if special_character(bytes, position).is_some() {
                        return Style::Quoted;
                    }
                }
                // Tab, `\r`, the other control characters and DEL.
                _ => return Style::Quoted,
            }
        }
        previous = byte;
    }
    if breaks {
        if literal_allowed && bytes[0] != b' ' && bytes[0] != b'\n' {
            Style::Literal
        } else {
            Style::Quoted
        }
    } else if plain {
        Style::Plain
    } else {
        Style::Quoted
    }
}

/// Bytes the plain-style scan looks at: C0 controls, space, `#`, DEL, and the lead
/// bytes of the characters [`special_character`] finds.
const PLAIN_SCAN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b' ' as usize] = true;
    table[b'#' as usize] = true;
    table[0x7F] = true;
    table[0xC2] = true;
    table[0xE2] = true;
    table[0xEF] = true;
    table
};

/// Bytes the quoted-style writer looks at: C0 controls, `"`, `\`, DEL, and the lead
/// bytes of the characters [`special_character`] finds.
const QUOTE_SCAN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[0x7F] = true;
    table[0xC2] = true;
    table[0xE2] = true;
    table[0xEF] = true;
    table
};

/// The non-ASCII character at `position` (a lead byte of valid UTF-8) when it must
/// be escaped: C1 controls and U+0085 (a YAML 1.1 line break), U+2028 and U+2029
/// (line breaks), U+FEFF (a byte order mark), U+FFFE and U+FFFF (not printable).
/// Returns the character and its length in bytes.
fn special_character(bytes: &[u8], position: usize) -> Option<(u32, usize)> {
    let next = |offset: usize| bytes.get(position + offset).copied().unwrap_or(0);
    match bytes[position] {
        0xC2 if (0x80..=0x9F).contains(&next(1)) => Some((u32::from(next(1)), 2)),
        0xE2 if next(1) == 0x80 && matches!(next(2), 0xA8 | 0xA9) => {
            Some((0x2000 | u32::from(next(2) - 0x80), 3))
        }
        0xEF => match (next(1), next(2)) {
            (0xBB, 0xBF) => Some((0xFEFF, 3)),
            (0xBF, 0xBE) => Some((0xFFFE, 3)),
            (0xBF, 0xBF) => Some((0xFFFF, 3)),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a plain scalar may start with these bytes: not a space or an indicator,
/// not `-` followed by a space or nothing (a sequence entry), not a document marker.
/// `?` and `:` are quoted even where a reader would accept them plain.
fn starts_plain(bytes: &[u8]) -> bool {
    match bytes[0] {
        b'-' => !matches!(bytes.get(1), None | Some(b' ')) && !bytes.starts_with(b"---"),
        b'.' => !bytes.starts_with(b"..."),
        b' ' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
        | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => false,
        _ => true,
    }
}

/// Whether the plain scalar `text` is one YAML 1.1 resolves to a boolean, a null,
/// the merge key or the value key.
fn keyword(text: &str) -> bool {
    matches!(
        text,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | "null"
            | "Null"
            | "NULL"
            | "~"
            | "<<"
            | "="
    )
}

/// Whether a YAML 1.1 (or 1.2) reader resolves the plain scalar `text` to anything
/// but a string: a keyword ([`keyword`]), a number ([`number_like`]) or a
/// timestamp (`dddd-d...`, whatever follows).
fn implicitly_typed(text: &str) -> bool {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'0'..=b'9') => number_like(bytes) || timestamp_like(bytes),
        Some(b'+' | b'-' | b'.') => number_like(bytes),
        Some(
            b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' | b'<'
            | b'=',
        ) => keyword(text),
        _ => false,
    }
}

/// `dddd-d`: the start of every YAML 1.1 timestamp (`2001-12-14`,
/// `2001-12-14t21:59:43.10-05:00`, `2001-12-14 21:59:43.10 -5`, and go-yaml's
/// `2001-1-2`). Anything so starting is quoted.
fn timestamp_like(bytes: &[u8]) -> bool {
    bytes.len() >= 6
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5].is_ascii_digit()
}

/// Whether some reader reads `text` as a number. The union of:
/// - YAML 1.1's ints (`[-+]?` then `0b[01_]+`, `0[0-7_]+`, `0|[1-9][0-9_]*`,
///   `0x[0-9a-fA-F_]+`, sexagesimal `[1-9][0-9_]*(:[0-5]?[0-9])+`) and floats
///   (`1.30`, `1.`, `.5`, `6.8523015e+5`, `190:20:30.15`, `.inf`, `.NaN`);
/// - go-yaml v2 and v3, which drop every `_` and then parse what is left with Go's
///   `ParseInt(s, 0, 64)` (`0x`, `0o`, `0b`, leading-zero octal, any case of the
///   prefix), or as a float matching `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
///   (so `09` and `1e3` are floats there);
/// - YAML 1.2's core schema (`0o17`, `.Inf`).
///
/// Checked as: an optional sign, then, with every `_` removed, one of `[0-9]+`,
/// `0[xX][0-9a-fA-F]*`, `0[oO][0-7]*`, `0[bB][01]*`, `[0-9]+\.[0-9]*E?`,
/// `\.[0-9]+E?`, `[0-9]+E`, `[0-9]+(:[0-9]+)+(\.[0-9]*)?` (E an exponent
/// `[eE][-+]?[0-9]+`), or `.inf`/`.nan` in any case. That is wider than each reader
/// (`0x` alone, `99:99`), never narrower. The spec's float regex also allows
/// several dots (`1.2.3`), which no implementation does: versions and addresses
/// stay plain.
fn number_like(bytes: &[u8]) -> bool {
    let unsigned = match bytes {
        [b'+' | b'-', rest @ ..] => rest,
        _ => bytes,
    };
    if unsigned.eq_ignore_ascii_case(b".inf") || unsigned.eq_ignore_ascii_case(b".nan") {
        return true;
    }
    let cleaned: Cow<[u8]> = if unsigned.contains(&b'_') {
        Cow::Owned(
            unsigned
                .iter()
                .copied()
                .filter(|&byte| byte != b'_')
                .collect(),
        )
    } else {
        Cow::Borrowed(unsigned)
    };
    unsigned_number(&cleaned)
}

fn leading_digits(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count()
}

fn unsigned_number(bytes: &[u8]) -> bool {
    match bytes {
        [] => false,
        [b'.', fraction @ ..] => {
            let digits = leading_digits(fraction);
            digits > 0 && exponent_or_nothing(&fraction[digits..])
        }
        [b'0', b'x' | b'X', rest @ ..] => rest.iter().all(u8::is_ascii_hexdigit),
        [b'0', b'o' | b'O', rest @ ..] => rest.iter().all(|byte| (b'0'..=b'7').contains(byte)),
        [b'0', b'b' | b'B', rest @ ..] => rest.iter().all(|byte| matches!(byte, b'0' | b'1')),
        _ => {
            let digits = leading_digits(bytes);
            if digits == 0 {
                return false;
            }
            match &bytes[digits..] {
                [] => true,
                [b'.', fraction @ ..] => exponent_or_nothing(&fraction[leading_digits(fraction)..]),
                rest @ [b'e' | b'E', ..] => exponent_or_nothing(rest),
                rest @ [b':', ..] => sexagesimal(rest),
                _ => false,
            }
        }
    }
}

/// Nothing, or `[eE][-+]?[0-9]+` and nothing after it.
fn exponent_or_nothing(bytes: &[u8]) -> bool {
    match bytes {
        [] => true,
        [b'e' | b'E', rest @ ..] => {
            let digits = match rest {
                [b'+' | b'-', digits @ ..] => digits,
                _ => rest,
            };
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// `(:[0-9]+)+(\.[0-9]*)?`, the rest of a base-60 number after its first digits.
fn sexagesimal(mut bytes: &[u8]) -> bool {
    while let [b':', rest @ ..] = bytes {
        let digits = leading_digits(rest);
        if digits == 0 {
            return false;
        }
        bytes = &rest[digits..];
    }
    match bytes {
        [] => true,
        [b'.', fraction @ ..] => fraction.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// A key longer than this (as written) goes after a `? ` indicator, with its `:` on
/// the next line: YAML readers give up on an implicit key past 1,024 characters.
const LONGEST_IMPLICIT_KEY: usize = 1_000;

const SPACES: &str = "                                                                ";

struct Writer<'o> {
    out: &'o mut String,
}

impl Writer<'_> {
    fn root(&mut self, node: &Node) {
        match node {
            Node::Map(entries) if !entries.is_empty() => self.map(entries, 0, false),
            Node::Seq(items) if !items.is_empty() => self.seq(items, 0, false),
            _ => self.scalar(node, None),
        }
    }

    /// The entries of a map whose keys start at column `indent`. With
    /// `on_this_line`, the first starts where the writer is (after `- `).
    fn map(&mut self, entries: &[(super::document::Key, Node)], indent: usize, on_this_line: bool) {
        for (position, (key, value)) in entries.iter().enumerate() {
            if position > 0 || !on_this_line {
                self.indent(indent);
            }
            let explicit = match key {
                Key::Literal(text) => self.literal_key(text),
                Key::Made(text) => self.key(text),
            };
            if explicit {
                self.out.push('\n');
                self.indent(indent);
            }
            match value {
                Node::Map(entries) if !entries.is_empty() => {
                    self.out.push_str(":\n");
                    self.map(entries, indent + 2, false);
                }
                Node::Seq(items) if !items.is_empty() => {
                    self.out.push_str(":\n");
                    self.seq(items, indent + 2, false);
                }
                _ => {
                    self.out.push_str(": ");
                    self.scalar(value, Some(indent + 2));
                }
            }
        }
    }

    /// The items of a sequence whose `- ` start at column `indent`.
    fn seq(&mut self, items: &[Node], indent: usize, on_this_line: bool) {
        for (position, item) in items.iter().enumerate() {
            if position > 0 || !on_this_line {
                self.indent(indent);
            }
            self.out.push_str("- ");
            match item {
                Node::Map(entries) if !entries.is_empty() => self.map(entries, indent + 2, true),
                Node::Seq(items) if !items.is_empty() => self.seq(items, indent + 2, true),
                _ => self.scalar(item, Some(indent + 2)),
            }
        }
    }

    /// A scalar or an empty collection, and the end of its line. A literal block's
    /// lines go at `block_indent`; `None` where there can be no block.
    fn scalar(&mut self, node: &Node, block_indent: Option<usize>) {
        match node {
            Node::Null => self.out.push_str("null"),
            Node::Bool(true) => self.out.push_str("true"),
            Node::Bool(false) => self.out.push_str("false"),
            Node::Int(value) => push_int(self.out, *value),
            Node::Seq(_) => self.out.push_str("[]"),
            Node::Map(_) => self.out.push_str("{}"),
            Node::Str(text) => match (scalar_style(text, block_indent.is_some()), block_indent) {
                (Style::Plain, _) => self.out.push_str(text),
                (Style::Literal, Some(indent)) => {
                    self.literal(text, indent);
                    return;
                }
                _ => push_quoted(self.out, text),
            },
        }
        self.out.push('\n');
    }

    /// [`Writer::key`] for a generator's literal key (`apiVersion`, `name`): how
    /// it is written is worked out once per thread and kept by its address (a
    /// large fleet's output has millions of keys, a few dozen distinct).
    fn literal_key(&mut self, key: &'static str) -> bool {
        thread_local! {
            static PLAIN: std::cell::RefCell<[(usize, usize); 256]> =
                const { std::cell::RefCell::new([(0, 0); 256]) };
        }
        let address = key.as_ptr() as usize;
        let slot = (address >> 3) & 0xFF;
        let known = PLAIN.with(|plain| plain.borrow()[slot] == (address, key.len()));
        if known {
            self.out.push_str(key);
            return false;
        }
        let explicit = self.key(key);
        // Only keys written plain on their line are kept: the others take the
        // general path every time.
        if !explicit && scalar_style(key, false) == Style::Plain {
            PLAIN.with(|plain| plain.borrow_mut()[slot] = (address, key.len()));
        }
        explicit
    }

    /// Writes `key` (not the `:`); true when it is an explicit `? ` key, whose `:`
    /// goes on the next line.
    fn key(&mut self, key: &str) -> bool {
        let plain = scalar_style(key, false) == Style::Plain;
        // An escaped byte takes at most 6 bytes (`\u0000`).
        let explicit = key.len() * 6 + 2 > LONGEST_IMPLICIT_KEY
            && if plain {
                key.len() > LONGEST_IMPLICIT_KEY
            } else {
                quoted_len(key) > LONGEST_IMPLICIT_KEY
            };
        if explicit {
            self.out.push_str("? ");
        }
        if plain {
            self.out.push_str(key);
        } else {
            push_quoted(self.out, key);
        }
        explicit
    }

    /// A `|` block: its header after the key, then its lines at `indent` (a line
    /// break ends each, empty lines stay empty). The final line breaks decide the
    /// chomping: none `|-`, one `|`, more `|+`.
    fn literal(&mut self, text: &str, indent: usize) {
        let body = text.trim_end_matches('\n');
        self.out.push_str(match text.len() - body.len() {
            0 => "|-\n",
            1 => "|\n",
            _ => "|+\n",
        });
        let lines = if text.len() > body.len() {
            &text[..text.len() - 1]
        } else {
            text
        };
        for line in lines.split('\n') {
            if !line.is_empty() {
                self.indent(indent);
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
    }

    fn indent(&mut self, mut width: usize) {
        while width > SPACES.len() {
            self.out.push_str(SPACES);
            width -= SPACES.len();
        }
        self.out.push_str(&SPACES[..width]);
    }
}

fn push_int(out: &mut String, value: i64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut magnitude = value.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if value < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[start..]).expect("ASCII digits"));
}

/// The escape of a byte that has a short one.
fn short_escape(byte: u8) -> Option<&'static str> {
    Some(match byte {
        b'"' => "\\\"",
        b'\\' => "\\\\",
        b'\n' => "\\n",
        b'\t' => "\\t",
        b'\r' => "\\r",
        0x08 => "\\b",
        0x0C => "\\f",
        _ => return None,
    })
}

/// What replaces the character starting at `position`, and its length in bytes;
/// `None` when it is written as it is.
fn escape_at(bytes: &[u8], position: usize) -> Option<(Escape, usize)> {
    let byte = bytes[position];
    if let Some(short) = short_escape(byte) {
        return Some((Escape::Short(short), 1));
    }
    match byte {
        0x00..=0x1F | 0x7F => Some((Escape::Unicode(u32::from(byte)), 1)),
        0xC2 | 0xE2 | 0xEF => special_character(bytes, position)
            .map(|(character, length)| (Escape::Unicode(character), length)),
        _ => None,
    }
}

enum Escape {
    Short(&'static str),
    /// `\uXXXX`: every character escaped this way is in the basic plane.
    Unicode(u32),
}

/// `text` double-quoted, with the escapes JSON and YAML 1.1 share.
fn push_quoted(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(text.len() + 2);
    out.push('"');
    let bytes = text.as_bytes();
    let mut written = 0;
    let mut position = 0;
    while position < bytes.len() {
        if !QUOTE_SCAN[usize::from(bytes[position])] {
            position += 1;
            continue;
        }
        let Some((escape, length)) = escape_at(bytes, position) else {
            position += 1;
            continue;
        };
        out.push_str(&text[written..position]);
        match escape {
            Escape::Short(short) => out.push_str(short),
            Escape::Unicode(character) => {
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(char::from(HEX[(character >> shift) as usize & 0xF]));
                }
            }
        }
        position += length;
        written = position;
    }
    out.push_str(&text[written..]);
    out.push('"');
}

/// The length of `text` double-quoted.
fn quoted_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut length = 2;
    let mut position = 0;
    while position < bytes.len() {
        match escape_at(bytes, position) {
            Some((Escape::Short(short), width)) => {
                length += short.len();
                position += width;
            }
            Some((Escape::Unicode(_), width)) => {
                length += 6;
                position += width;
            }
            None => {
                length += 1;
                position += 1;
            }
        }
    }
    length
}

/// `# ` and each line of `comment`; a character that would end the comment's line
/// or is not printable (a YAML reader rejects those) becomes U+FFFD.
fn write_comment(out: &mut String, comment: &str) {
    for line in comment.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            out.push_str("#\n");
            continue;
        }
        out.push_str("# ");
        for character in line.chars() {
            let unprintable = matches!(character,
                '\u{0}'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
                | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}');
            out.push(if unprintable { '\u{fffd}' } else { character });
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::document::Document;

    /// How `text` is written as a map value, and check that it is written the same
    /// way as a key.
    #[track_caller]
    fn written(text: &str) -> String {
        let value = to_string(&Node::map().with("k", text));
        let value = value
            .strip_prefix("k: ")
            .expect("a map entry")
            .strip_suffix('\n')
            .expect("a line")
            .to_string();
        if !text.contains('\n') {
            let key = to_string(&Node::map().with(text.to_string(), 1));
            assert_eq!(key, format!("{value}: 1\n"), "{text:?} as a key");
        }
        value
    }

    /// A document whose last map's last entries are written apart
    /// (`write_entries`) and added after it reads exactly as the whole.
    #[test]
    fn entries_written_apart_end_a_document_as_written_whole() {
        let tail = Node::map()
            .with("region", "eu-west-1")
            .with("version", "1.30")
            .with(
                "nodeGroups",
                Node::seq().item(Node::map().with("name", "system").with("min", 3)),
            )
            .with("labels", Node::map())
            .with("note", "two\nlines\n");
        let head = || {
            Node::map().with("kind", "Claim").with(
                "spec",
                Node::map().with("selector", Node::map().with("cloud", "aws")),
            )
        };
        let mut whole = head();
        let Node::Map(entries) = &tail else {
            unreachable!("a map")
        };
        for (key, value) in entries {
            whole
                .get_mut("spec")
                .expect("a spec")
                .push(key.clone(), value.clone());
        }
        let mut spliced = to_string(&head());
        write_entries(&mut spliced, entries, 2);
        assert_eq!(spliced, to_string(&whole));
    }

    /// A generator's literal key is written as the same text made at build
    /// time would be, the first time and every time after (its style is
    /// remembered by its address).
    #[test]
    fn literal_keys_are_written_as_made_ones() {
        let literals: [&'static str; 8] = [
            "apiVersion",
            "no",
            "on",
            "1.30",
            "a b",
            "- x",
            "",
            "k8s.io/name",
        ];
        for _ in 0..3 {
            for literal in literals {
                let made = to_string(&Node::map().with(literal.to_string(), 1));
                assert_eq!(
                    to_string(&Node::map().with(literal, 1)),
                    made,
                    "{literal:?}"
                );
            }
        }
        let long: &'static str = "k".repeat(2_000).leak();
        for _ in 0..2 {
            assert!(to_string(&Node::map().with(long, 1)).starts_with("? k"));
        }
    }

    #[track_caller]
    fn assert_quoted(texts: &[&str]) {
        for text in texts {
            let out = written(text);
            assert!(
                out.starts_with('"') && out.ends_with('"'),
                "{text:?} must be quoted, was written {out}"
            );
            assert!(!is_plain(text));
        }
    }

    #[track_caller]
    fn assert_plain(texts: &[&str]) {
        for text in texts {
            assert_eq!(written(text), *text, "{text:?} should be plain");
        }
    }

    #[test]
    fn the_empty_string_is_quoted() {
        assert_eq!(written(""), "\"\"");
    }

    #[test]
    fn yaml_1_1_booleans_are_quoted() {
        assert_quoted(&[
            "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
            "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ]);
        // Not booleans in any schema: plain.
        assert_plain(&[
            "yES", "nO", "oN", "tRUE", "yess", "none", "onion", "offset", "Norway",
        ]);
    }

    #[test]
    fn nulls_are_quoted() {
        assert_quoted(&["~", "null", "Null", "NULL"]);
        assert_plain(&["nULL", "~x", "nullable"]);
    }

    #[test]
    fn merge_and_value_keys_are_quoted() {
        assert_quoted(&["<<", "="]);
        assert_plain(&["<", "<<<", "==", "===", "a=b", "<<a"]);
    }

    #[test]
    fn yaml_1_1_ints_are_quoted() {
        assert_quoted(&[
            "0",
            "7",
            "-0",
            "+0",
            "-1",
            "+1",
            "123",
            "-123",
            "+123",
            "01",
            "0755",
            "09",
            "08",
            "0o17",
            "0O17",
            "-0o17",
            "0x1F",
            "0X1f",
            "-0x1F",
            "+0xff",
            "0b1010",
            "0B1",
            "-0b11",
            "1_000",
            "1__0",
            "-1_000",
            "0b1_0",
            "0x_1F",
            "0_7",
            "1_",
            "-_1",
            "99999999999999999999999999999999",
        ]);
    }

    #[test]
    fn sexagesimal_numbers_are_quoted() {
        // YAML 1.1 base 60: `190:20:30` is 685230, `190:20:30.15` is 685230.15.
        assert_quoted(&[
            "1:20",
            "190:20:30",
            "-1:20",
            "+1:20",
            "1:2:3",
            "8080:80",
            "190:20:30.15",
            "1:20.",
            "12:30",
            "1_0:20",
            "99:99",
        ]);
        // A colon after something that is not a number is just text.
        assert_plain(&["a:1", "1:a", "1::2", "v1:20", "1:20a", "1:20.5.6", "1:20:a"]);
        assert_quoted(&["1:", "1:20:"]);
    }

    #[test]
    fn floats_are_quoted() {
        assert_quoted(&[
            "1.30",
            "1.35",
            "2.9",
            "0.5",
            ".5",
            "-.5",
            "+.5",
            "1.",
            "0.",
            "-1.",
            "1e3",
            "1E3",
            "1e+3",
            "1e-3",
            "6.8523015e+5",
            "685.230_15e+03",
            "685_230.15",
            "-1.5",
            "+1.5",
            "1_000.5",
            "1.5_",
            "1e_3",
            ".5e3",
            "00.5",
        ]);
        assert_quoted(&[
            ".inf", ".Inf", ".INF", "-.inf", "+.inf", "-.Inf", "+.INF", ".nan", ".NaN", ".NAN",
            ".iNf", "-.NAN",
        ]);
        // Not floats in any reader.
        assert_plain(&[
            ".",
            "1e",
            "1.2e",
            "e3",
            "1.2.3",
            "10.0.0.1",
            "v1.30",
            "1.30.0",
            "inf",
            "nan",
            "Infinity",
            ".infinity",
            "1.5x",
            "1ee3",
            ".e3",
            "1.e",
        ]);
    }

    #[test]
    fn numbers_in_other_forms_are_quoted() {
        assert_quoted(&["+1", "-0", "1.", "0.", "+0.", "-0.0", "0e0", "1_2_3"]);
        assert_plain(&[
            "+", "+a", "-a", "1a", "12abc", "1-2", "1/2", "1,000", "1 000", "--1",
        ]);
    }

    #[test]
    fn timestamps_are_quoted() {
        assert_quoted(&[
            "2001-12-14",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14T21:59:43.10Z",
            "2001-12-14 21:59:43.10 -5",
            "2001-12-15 2:59:43.10",
            "2002-1-2",
            "2024-06-01-release",
        ]);
        assert_plain(&["2001-", "2001-x", "200-12-14", "v2001-12-14", "20011214a"]);
    }

    #[test]
    fn indicators_at_the_start_are_quoted() {
        for indicator in [
            "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@",
            "`",
        ] {
            assert_quoted(&[
                indicator,
                &format!("{indicator}x"),
                &format!("{indicator} x"),
            ]);
        }
        assert_quoted(&[
            "- x", "-", "---", "---x", "...", "...x", "? x", ": x", "?x", ":x",
        ]);
        // A `-` followed by text is an argument, not a sequence entry.
        assert_plain(&["--leader-elect", "-v=2", "--", "-x", "..", ".x", ".hidden"]);
    }

    #[test]
    fn spaces_and_comments_are_quoted() {
        assert_quoted(&[
            " ", " x", "x ", " x ", "a: b", "a:  b", "a:", "key:", "a #b", "a # b", "#a",
        ]);
        assert_plain(&[
            "a b", "a:b", "a#b", "a#", "http://x", "a :b", "a - b", "a, b",
        ]);
        assert_plain(&[
            "a [b] {c}",
            "a ? b",
            "it's",
            "say \"hi\"",
            "50%",
            "a@b.c",
            "a!b",
            "a|b",
        ]);
    }

    #[test]
    fn control_characters_and_line_breaks_are_escaped() {
        assert_eq!(written("a\tb"), r#""a\tb""#);
        assert_eq!(written("\t"), r#""\t""#);
        assert_eq!(written("a\rb"), r#""a\rb""#);
        assert_eq!(written("\u{0}"), r#""\u0000""#);
        assert_eq!(written("\u{1b}[0m"), r#""\u001b[0m""#);
        assert_eq!(written("\u{8}\u{c}"), r#""\b\f""#);
        assert_eq!(written("a\u{7f}"), r#""a\u007f""#);
        assert_eq!(written("a\u{85}b"), r#""a\u0085b""#);
        assert_eq!(written("\u{9f}"), r#""\u009f""#);
        assert_eq!(written("a\u{2028}b\u{2029}"), r#""a\u2028b\u2029""#);
        assert_eq!(written("\u{feff}x"), r#""\ufeffx""#);
        assert_eq!(written("\u{fffe}\u{ffff}"), r#""\ufffe\uffff""#);
        assert_eq!(written("say \"hi\"\t"), r#""say \"hi\"\t""#);
        assert_eq!(written("C:\\dir\t"), r#""C:\\dir\t""#);
        // Not special: plain.
        assert_plain(&[
            "\u{a0}",
            "a\u{a0}b",
            "\u{a0}x\u{a0}",
            "\u{2027}",
            "\u{fffd}",
            "\u{e000}",
        ]);
    }

    #[test]
    fn unicode_text_is_left_as_it_is() {
        assert_plain(&[
            "héllo",
            "日本語",
            "東京-1",
            "🚀",
            "deploy 🚀 now",
            "Ελληνικά",
            "ünïcödé",
        ]);
        assert_eq!(written("🚀: go"), "\"🚀: go\"");
        assert_eq!(written("日本\t語"), "\"日本\\t語\"");
    }

    #[test]
    fn ordinary_kubernetes_strings_stay_plain() {
        assert_plain(&[
            "nginx",
            "web-frontend",
            "app.kubernetes.io/name",
            "registry.example.com/team/app:1.2.3",
            "registry.example.com:5000/team/app@sha256:0123abcd",
            "ghcr.io/fluxcd/source-controller:v1.3.0",
            "https://github.com/acme/gitops.git",
            "ssh://git@github.com/acme/gitops",
            "./gitops/flux/clusters/dev-eu",
            "/etc/config/app.yaml",
            "100m",
            "1Gi",
            "512Mi",
            "1.5Gi",
            "5m",
            "10m30s",
            "v1",
            "apps/v1",
            "eu-west-1",
            "10.0.0.0/8",
            "192.168.1.1",
            "1.2.3",
            "v1.30.2",
            "3.5.x",
            "CreateReplace",
            "fleet.dev/team",
            "key=value",
            "NoSchedule",
            "ap-south-1a",
            "a_b",
            "_private",
        ]);
    }

    #[test]
    fn scalars_of_other_kinds() {
        let node = Node::map()
            .with("null", Node::Null)
            .with("yes", true)
            .with("no", false)
            .with("zero", 0)
            .with("min", i64::MIN)
            .with("max", i64::MAX)
            .with("negative", -42);
        assert_eq!(
            to_string(&node),
            "\"null\": null\n\"yes\": true\n\"no\": false\nzero: 0\nmin: -9223372036854775808\n\
             max: 9223372036854775807\nnegative: -42\n"
        );
    }

    #[test]
    fn nested_layout() {
        let node = Node::map()
            .with("apiVersion", "apps/v1")
            .with("kind", "Deployment")
            .with(
                "metadata",
                Node::map()
                    .with("name", "web")
                    .with("labels", Node::map().with("app.kubernetes.io/name", "web")),
            )
            .with(
                "spec",
                Node::map().with("replicas", 3).with(
                    "template",
                    Node::map().with(
                        "spec",
                        Node::map().with(
                            "containers",
                            Node::seq().item(
                                Node::map()
                                    .with("name", "web")
                                    .with("image", "nginx:1.27")
                                    .with("args", Node::seq().item("--port").item("8080"))
                                    .with(
                                        "ports",
                                        Node::seq().item(Node::map().with("containerPort", 8080)),
                                    )
                                    .with("env", Node::seq())
                                    .with("resources", Node::map()),
                            ),
                        ),
                    ),
                ),
            );
        assert_eq!(
            to_string(&node),
            "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          args:
            - --port
            - \"8080\"
          ports:
            - containerPort: 8080
          env: []
          resources: {}
"
        );
    }

    #[test]
    fn sequences_in_sequences_and_empty_collections() {
        let node = Node::seq()
            .item(Node::seq().item(1).item(Node::seq().item("a").item("b")))
            .item(Node::seq())
            .item(Node::map())
            .item(Node::map().with("a", Node::seq().item(Node::map().with("b", Node::map()))))
            .item(Node::Null);
        assert_eq!(
            to_string(&node),
            "\
- - 1
  - - a
    - b
- []
- {}
- a:
    - b: {}
- null
"
        );
        assert_eq!(to_string(&Node::map()), "{}\n");
        assert_eq!(to_string(&Node::seq()), "[]\n");
        assert_eq!(to_string(&Node::from("yes")), "\"yes\"\n");
        assert_eq!(to_string(&Node::from("a\nb")), "\"a\\nb\"\n");
        assert_eq!(to_string(&Node::Int(-1)), "-1\n");
    }

    #[test]
    fn multi_line_strings_are_literal_blocks() {
        let node = Node::map()
            .with("strip", "a\nb")
            .with("clip", "a\n  b\n")
            .with("keep", "a\n\n")
            .with("blank lines", "a\n\n\nb\n")
            .with(
                "items",
                Node::seq()
                    .item("#!/bin/sh\necho hi\n")
                    .item(Node::map().with("script", "yes\nno")),
            );
        assert_eq!(
            to_string(&node),
            "\
strip: |-
  a
  b
clip: |
  a
    b
keep: |+
  a

blank lines: |
  a


  b
items:
  - |
    #!/bin/sh
    echo hi
  - script: |-
      yes
      no
"
        );
    }

    #[test]
    fn multi_line_strings_that_a_block_cannot_hold_are_quoted() {
        // A first line that is empty or indented would change the block's indentation.
        assert_eq!(written("\na"), r#""\na""#);
        assert_eq!(written(" a\nb"), r#"" a\nb""#);
        assert_eq!(written("\n"), r#""\n""#);
        // Tabs and carriage returns are escaped.
        assert_eq!(written("a\tb\nc"), r#""a\tb\nc""#);
        assert_eq!(written("a\r\nb"), r#""a\r\nb""#);
        // Keys never are blocks.
        assert_eq!(to_string(&Node::map().with("a\nb", 1)), "\"a\\nb\": 1\n");
    }

    #[test]
    fn long_keys_are_explicit() {
        let long = "k".repeat(1_200);
        let node = Node::map().with(long.clone(), "v").with(
            "short",
            Node::seq().item(Node::map().with(long.clone(), Node::map().with("a", 1))),
        );
        assert_eq!(
            to_string(&node),
            format!("? {long}\n: v\nshort:\n  - ? {long}\n    :\n      a: 1\n")
        );
        // Escapes count: 200 tabs are 400 bytes quoted, 200 NULs 1,200.
        let tabs = "\t".repeat(200);
        assert_eq!(
            to_string(&Node::map().with(tabs.clone(), 1)).chars().next(),
            Some('"')
        );
        let nuls = "\u{0}".repeat(200);
        assert!(to_string(&Node::map().with(nuls.clone(), 1)).starts_with("? \"\\u0000"));
    }

    #[test]
    fn headers_and_streams() {
        let first = Document::new(Node::map().with("a", 1))
            .with_header("generated by fleet from apps.fleet\n\ndo not edit\r\nx\u{2028}y");
        let second = Document::new(Node::map().with("b", "no"));
        assert_eq!(
            stream_to_string([&first, &second]),
            "\
# generated by fleet from apps.fleet
#
# do not edit
# x\u{fffd}y
a: 1
---
b: \"no\"
"
        );
        let nodes = vec![Node::map().with("a", 1), Node::seq().item("b")];
        let mut text = String::new();
        write_stream(&mut text, &nodes);
        assert_eq!(text, "a: 1\n---\n- b\n");
        let mut through_fmt = String::new();
        write_stream_to(&mut through_fmt, &nodes).unwrap();
        assert_eq!(through_fmt, text);
        assert_eq!(stream_to_string::<Node>([]), "");
    }
}
