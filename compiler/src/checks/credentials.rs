//! E0410: a credential written in plain text. The secret store is the only way a
//! secret enters the fleet, so any string that looks like a key, a token or a
//! password is an error, wherever it is (a comment too: it would be committed).

use crate::db::{Db, Origin, SourceFile, parse};
use crate::diagnostics::{Diagnostic, Span, code};
use crate::syntax::SyntaxKind::*;
use regex::Regex;
use std::sync::{Arc, OnceLock};

struct Pattern {
    what: &'static str,
    regex: &'static str,
}

/// What credentials look like, each with what it is called in the message.
const PATTERNS: &[Pattern] = &[
    Pattern {
        what: "an AWS access key id",
        regex: r"\b(AKIA|ASIA)[0-9A-Z]{16}\b",
    },
    Pattern {
        what: "an AWS secret access key",
        regex: r#"(?i)aws.{0,20}secret.{0,20}[=:"' ]+[A-Za-z0-9/+]{40}\b"#,
    },
    Pattern {
        what: "a private key",
        regex: r"-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----",
    },
    Pattern {
        what: "a GitHub token",
        regex: r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b",
    },
    Pattern {
        what: "a GitLab token",
        regex: r"\bglpat-[A-Za-z0-9_-]{20,}\b",
    },
    Pattern {
        what: "a Slack token",
        regex: r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b",
    },
    Pattern {
        what: "a Slack webhook",
        regex: r"https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+",
    },
    Pattern {
        what: "a Google API key",
        regex: r"\bAIza[0-9A-Za-z_-]{35}\b",
    },
    Pattern {
        what: "a Stripe secret key",
        regex: r"\b(sk|rk)_live_[0-9A-Za-z]{24,}\b",
    },
    Pattern {
        what: "a JSON web token",
        regex: r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
    },
    Pattern {
        what: "a password in a URL",
        regex: r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s:@]{3,}@",
    },
    Pattern {
        what: "a Vault token",
        regex: r"\bhvs\.[A-Za-z0-9_-]{24,}\b",
    },
];

/// The shortest text any pattern matches: a password in a URL, `a://b:pwd@`.
const SHORTEST_CREDENTIAL: usize = 10;

fn compiled() -> &'static [(Regex, &'static str)] {
    static COMPILED: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        PATTERNS
            .iter()
            .map(|pattern| {
                (
                    Regex::new(pattern.regex).expect("the patterns compile"),
                    pattern.what,
                )
            })
            .collect()
    })
}

/// The plaintext credentials of one file's strings and comments.
#[salsa::tracked(returns(clone))]
pub fn file_credentials(db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]> {
    if file.origin(db) != Origin::Fleet {
        return Arc::from([]);
    }
    let parse = parse(db, file);
    let mut found = Vec::new();
    for token in parse.tree().tokens() {
        if !matches!(
            token.kind(),
            STRING_TEXT | COMMENT | DOC_COMMENT | MODULE_DOC_COMMENT
        ) {
            continue;
        }
        let text = token.text();
        // Most strings of a fleet (names, regions, versions) are too short to be
        // any credential; they are not run through the patterns.
        if text.len() < SHORTEST_CREDENTIAL {
            continue;
        }
        for (regex, what) in compiled() {
            let Some(hit) = regex.find(text) else {
                continue;
            };
            let start = token.range().start() + text_size::TextSize::from(hit.start() as u32);
            let range =
                text_size::TextRange::at(start, text_size::TextSize::from(hit.len() as u32));
            found.push(
                Diagnostic::new(code::E0410, format!("this looks like {what}"))
                    .with_primary(Span::new(file.id(db), range), "a credential in plain text")
                    .with_note("everything in a fleet is committed to Git and copied into the generated repository")
                    .with_help("keep it in the secret store (`fleet { secrets = ... }`) and refer to it by name; then rotate it, since it may already be in Git history"),
            );
            break;
        }
    }
    found.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each pattern's shortest match, written out: none is shorter than
    /// `SHORTEST_CREDENTIAL`, and each is found.
    const SHORTEST_MATCHES: &[&str] = &[
        "AKIAABCDEFGHIJKLMNOP",
        "aws_secret = AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/+Ab",
        "-----BEGIN PRIVATE KEY-----",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "glpat-abcdefghijklmnopqrst",
        "xoxb-0123456789",
        "https://hooks.slack.com/services/T0/B0/x",
        "AIzaabcdefghijklmnopqrstuvwxyz012345678",
        "sk_live_abcdefghijklmnopqrstuvwx",
        "eyJabcdefghij.eyJabcdefghij.abcdefghij",
        "a://b:pwd@",
        "hvs.abcdefghijklmnopqrstuvwx",
    ];

    #[test]
    fn no_credential_is_shorter_than_the_shortest_one_looked_for() {
        assert_eq!(SHORTEST_MATCHES.len(), PATTERNS.len());
        for (text, (regex, what)) in SHORTEST_MATCHES.iter().zip(compiled()) {
            assert!(regex.is_match(text), "{what} should match {text:?}");
            assert!(
                text.len() >= SHORTEST_CREDENTIAL,
                "{what}: {text:?} is shorter"
            );
        }
    }
}
