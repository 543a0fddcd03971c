//! Inputs built to break a parser: deep nesting of every kind, long chains, huge
//! garbage. Each must give a tree that reproduces the text and diagnostics, within
//! the default 2 MiB stack of a test thread, and without hanging.

use fleet_compiler::diagnostics::code;
use fleet_compiler::format::format;
use fleet_compiler::source::FileId;
use fleet_compiler::syntax::{MAX_ERRORS_PER_FILE, Parse, parse};

fn parse_and_check_lossless(text: &str) -> Parse {
    let parse = parse(text, FileId(0));
    let rebuilt: String = parse
        .tree()
        .root()
        .descendant_tokens()
        .map(|token| token.text())
        .collect();
    assert!(rebuilt == text, "the tree does not reproduce the input");
    parse
}

fn codes(parse: &Parse) -> Vec<&'static str> {
    parse
        .errors()
        .iter()
        .map(|diagnostic| diagnostic.code.id)
        .collect()
}

fn repeat(open: &str, middle: &str, close: &str, depth: usize) -> String {
    format!("{}{middle}{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn ten_thousand_nested_brackets_of_each_kind_report_nesting_too_deep() {
    for (open, close) in [("[", "]"), ("(", ")"), ("{a = ", "}")] {
        let text = format!(
            "let x = {}\nenv dev {{}}\n",
            repeat(open, "1", close, 10_000)
        );
        let parse = parse_and_check_lossless(&text);
        assert_eq!(codes(&parse), vec![code::E0109.id], "for {open}...{close}");
        // The declaration after the deep value is still parsed.
        assert!(
            parse
                .tree()
                .root()
                .children()
                .any(|node| node.text() == "env dev {}")
        );
    }
}

#[test]
fn unbalanced_deep_openers_do_not_recurse() {
    for open in ["[", "(", "{", "${", "[{(", "\"${"] {
        let text = format!("let x = {}", open.repeat(20_000));
        let parse = parse_and_check_lossless(&text);
        assert!(parse.has_errors(), "for {open:?}");
    }
}

#[test]
fn long_prefix_chains_are_bounded() {
    for prefix in ["not ", "- ", "-"] {
        let text = format!("let x = {}y\n", prefix.repeat(50_000));
        let parse = parse_and_check_lossless(&text);
        assert!(
            codes(&parse).contains(&code::E0109.id),
            "for {prefix:?}: {:?}",
            codes(&parse)
        );
    }
}

#[test]
fn long_operator_chains_stay_flat_and_valid() {
    for operator in [" + ", " and ", " -> ", " * "] {
        let text = format!("let x = {}\n", vec!["a"; 100_000].join(operator));
        let parse = parse_and_check_lossless(&text);
        assert!(
            parse.errors().is_empty(),
            "for {operator:?}: {:?}",
            codes(&parse)
        );
    }
}

#[test]
fn long_postfix_and_filter_chains_are_bounded() {
    for (start, link) in [
        ("a", ".b"),
        ("f", "(1)"),
        ("a", "[0]"),
        ("clusters", " where x"),
    ] {
        let text = format!("let x = {start}{}\nenv dev {{}}\n", link.repeat(20_000));
        let parse = parse_and_check_lossless(&text);
        assert!(
            codes(&parse).contains(&code::E0109.id),
            "for {link:?}: {:?}",
            codes(&parse)
        );
    }
}

#[test]
fn deeply_nested_if_and_for_are_bounded() {
    let text = format!("let x = {}1\n", "if a then ".repeat(10_000));
    assert!(codes(&parse_and_check_lossless(&text)).contains(&code::E0109.id));
    let text = format!(
        "{}env dev {{}}{}",
        "for x in y {\n".repeat(10_000),
        "}\n".repeat(10_000)
    );
    assert!(codes(&parse_and_check_lossless(&text)).contains(&code::E0109.id));
}

/// A deterministic stream of tokens and fragments, some valid, most not.
fn garbage(bytes: usize) -> String {
    const PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "\"",
        "${",
        "\"\"\"",
        ",",
        ".",
        "..",
        ":",
        "=",
        "==",
        "->",
        "@",
        "?",
        "|",
        "+",
        "-",
        "%",
        "cluster",
        "app",
        "env",
        "overlay",
        "for",
        "in",
        "if",
        "then",
        "else",
        "where",
        "not",
        "x",
        "prod-eu-1",
        "30s",
        "10%",
        "2Gi",
        "1_000",
        "\"text\"",
        "\"a${b}c\"",
        "//c\n",
        "\n",
        " ",
        "\t",
        "漢",
        "🚀",
        ";",
        "#",
        "&",
        "\\",
        "`",
        "'",
        "import",
        "let",
        "require",
        "type",
        "enum",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut text = String::with_capacity(bytes + 16);
    while text.len() < bytes {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        text.push(' ');
    }
    text
}

#[test]
fn ten_megabytes_of_garbage_parse_with_a_capped_list_of_diagnostics() {
    let text = garbage(10 * 1024 * 1024);
    let parse = parse_and_check_lossless(&text);
    let errors = parse.errors();
    // The parser's errors are capped per file, with one closing E0118; the lexer's
    // are one per run of unknown characters.
    assert!(
        errors
            .iter()
            .any(|diagnostic| diagnostic.code == code::E0118)
    );
    let parser_errors = errors
        .iter()
        .filter(|d| d.code.id.starts_with("E01"))
        .count();
    assert!(
        parser_errors <= MAX_ERRORS_PER_FILE + 1,
        "{parser_errors} parser errors"
    );
    assert_eq!(format(&parse), None, "a file with errors is not formatted");
}

#[test]
fn positions_in_non_ascii_text_stay_on_character_boundaries() {
    let text = "cluster 漢字 { region = \"🚀\" ; x = é }\n";
    let parse = parse_and_check_lossless(text);
    for diagnostic in parse.errors() {
        let range = diagnostic.primary.as_ref().unwrap().span.range;
        assert!(
            text.is_char_boundary(range.start().into())
                && text.is_char_boundary(range.end().into())
        );
    }
}

const STACK: usize = 1024 * 1024;

#[test]
fn the_deepest_accepted_nesting_fits_in_a_small_stack() {
    // Every kind of nesting mixed up to the limit, parsed on a thread with half a
    // test thread's stack (in a debug build, where frames are largest): the limit
    // leaves room for the stages after parsing.
    let depth = fleet_compiler::syntax::MAX_NESTING as usize;
    let mut text = String::from("let x = ");
    let openers = ["[", "{a = ", "(", "f(", "not ", "-", "if a then "];
    let closers = ["]", "}", ")", ")", "", "", " else 1"];
    for level in 0..depth {
        text.push_str(openers[level % openers.len()]);
    }
    text.push('1');
    for level in (0..depth).rev() {
        text.push_str(closers[level % closers.len()]);
    }
    let handle = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || parse(text.as_str(), FileId(0)).errors().len())
        .unwrap();
    handle.join().expect("parsing overflowed the stack");
}

/// Thousands of small random files built from fragments of the language (valid
/// and not): each parses into a tree that gives its text back, and every offset
/// finds the token that covers it.
#[test]
fn random_fragments_always_round_trip() {
    const PIECES: &[&str] = &[
        "cluster a",
        "app b",
        "env dev",
        "overlay a @ dev",
        "for x in xs",
        "let y =",
        "type T",
        "enum E",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ",",
        "=",
        "+=",
        ":",
        ".",
        "..",
        "->",
        "@",
        "?",
        "|",
        "where",
        "and",
        "not",
        "in",
        "if",
        "then",
        "else",
        "1",
        "30s",
        "10%",
        "\"s\"",
        "\"a${b}c\"",
        "\"${",
        "\"\"\"x\n",
        "// c\n",
        "/// d\n",
        "\n",
        "\n\n",
        " ",
        "x",
        "a-b",
        "a - b",
        "require",
        "import std.x",
        ";",
        "#",
        "漢",
        "🚀",
        "\\",
        "\r\n",
        "\t",
    ];
    let mut state: u64 = 0x853C_49E6_748F_EA9B;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    for _ in 0..3_000 {
        let length = next(40);
        let text: String = (0..length)
            .map(|_| PIECES[next(PIECES.len())])
            .collect::<Vec<_>>()
            .join(" ");
        let parse = parse_and_check_lossless(&text);
        let tree = parse.tree();
        for offset in 0..text.len() {
            if !text.is_char_boundary(offset) {
                continue;
            }
            let token = tree
                .token_at_offset((offset as u32).into())
                .expect("a token covers every offset");
            assert!(
                token.range().contains((offset as u32).into()),
                "{text:?} at {offset}: {token:?}"
            );
            assert!(token.parent().range().contains_range(token.range()));
        }
    }
}
