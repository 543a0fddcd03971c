//! How messages are worded where the words depend on a value: the article
//! before a word ("an `AwsRegion`", "a team") and lists ("`a`, `b` or `c`").
//! One place, so every stage words them the same way.

/// "a" or "an" before `word`, by how it sounds: "an `AwsRegion`", "an env", "an
/// EKS cluster", "an 8", but "a `Url`", "a unit", "a GKE cluster", "a one".
/// Backticks and quotes before the word are skipped.
pub fn article(word: &str) -> &'static str {
    let word = word.trim_start_matches(['`', '"', '\'', '(']);
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return "a";
    };
    // Read letter by letter: `EKS`, `S3`, `HTTPRoute`.
    let spelled = first.is_ascii_uppercase()
        && chars
            .next()
            .is_none_or(|second| !second.is_ascii_lowercase());
    if spelled {
        return if "AEFHILMNORSX".contains(first) {
            "an"
        } else {
            "a"
        };
    }
    if first.is_ascii_digit() {
        // "an 8", "an 80", "an 11", "an 18", "an 11,000", as the number is said.
        let digits: String = word.chars().take_while(|c| c.is_ascii_digit()).collect();
        let eleven_or_eighteen =
            (digits.starts_with("11") || digits.starts_with("18")) && digits.len() % 3 == 2;
        return if digits.starts_with('8') || eleven_or_eighteen {
            "an"
        } else {
            "a"
        };
    }
    let lower = word.to_ascii_lowercase();
    // A vowel said as a consonant ("a unit", "a European", "a one-off"), and an h
    // not said at all ("an hour").
    const CONSONANT_SOUNDS: [&str; 11] = [
        "uni", "use", "usa", "usu", "uti", "uri", "url", "eu", "ewe", "one", "once",
    ];
    const SILENT_H: [&str; 5] = ["hour", "honest", "honor", "honour", "heir"];
    if CONSONANT_SOUNDS
        .iter()
        .any(|prefix| lower.starts_with(prefix))
    {
        return "a";
    }
    if SILENT_H.iter().any(|prefix| lower.starts_with(prefix)) {
        return "an";
    }
    if lower.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// `phrase` after its article: "an `AwsRegion`", "a team".
pub fn with_article(phrase: &str) -> String {
    format!("{} {phrase}", article(phrase))
}

/// `a`, `a or b`, `a, b or c`.
pub fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
