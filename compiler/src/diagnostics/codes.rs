//! The registry of diagnostic codes. A code never changes meaning once released;
//! each one's page (`docs/diagnostics/<CODE>.md`) is compiled into the binary, so a
//! code without a page does not build.

use super::Severity;
use std::fmt;

#[derive(Clone, Copy, Debug)]
pub struct Code {
    pub id: &'static str,
    /// The page's title, also the one-line summary `fleet explain --list` shows.
    pub title: &'static str,
    pub severity: Severity,
    /// The Markdown page printed by `fleet explain`.
    pub page: &'static str,
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.id == other.id
    }
}
impl Eq for Code {}
impl std::hash::Hash for Code {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

impl Code {
    pub fn lookup(id: &str) -> Option<Code> {
        ALL_CODES
            .iter()
            .copied()
            .find(|code| code.id.eq_ignore_ascii_case(id))
    }
}

macro_rules! codes {
    ($($name:ident $severity:ident $title:literal;)*) => {
        $(
            pub const $name: Code = Code {
                id: stringify!($name),
                title: $title,
                severity: Severity::$severity,
                page: include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../docs/diagnostics/",
                    stringify!($name),
                    ".md"
                )),
            };
        )*
        /// Every code, in order.
        pub const ALL_CODES: &[Code] = &[$($name),*];
    };
}

codes! {
    // Files and characters (E00xx).
    E0001 Error "file is not valid UTF-8";
    E0002 Error "file looks binary";
    E0003 Error "unknown character";
    E0004 Error "unterminated string";
    E0005 Error "unterminated interpolation";
    E0006 Error "invalid escape sequence";
    E0007 Error "file too large";
    E0008 Error "no `.fleet` files";
    E0009 Error "file declares nothing";
    E0011 Error "`#` does not start a comment";

    // Syntax (E01xx).
    E0100 Error "unexpected token";
    E0101 Error "expected a declaration";
    E0102 Error "unclosed delimiter";
    E0103 Error "expected an expression";
    E0104 Error "expected `=` or `{` after a field name";
    E0105 Error "missing separator between fields";
    E0106 Error "missing comma between list elements";
    E0107 Error "expected a name";
    E0108 Error "expected a type";
    E0109 Error "nesting too deep";
    E0110 Error "unit separated from its number";
    E0111 Error "comparisons cannot be chained";
    E0112 Error "unmatched closing delimiter";
    E0113 Error "missing value after `=`";
    E0114 Error "invalid overlay layer";
    E0115 Error "percent literal followed by a number or name";
    E0116 Error "reserved word used as a name";
    E0117 Error "`=` in a condition";
    E0118 Error "too many syntax errors";
    E0119 Error "expected a field";
    E0120 Error "field set with `:`";

    // Names and modules (E02xx).
    E0200 Error "unresolved name";
    E0201 Error "declared twice";
    E0202 Error "ambiguous name";
    E0203 Error "module or folder not found";
    E0204 Error "import outside the fleet";
    E0205 Error "import cycle";
    E0206 Error "name shadows a cluster field";
    E0207 Error "`for` over something that is not a list";
    E0209 Error "declaration not allowed here";
    E0210 Error "missing or repeated `fleet` declaration";
    E0211 Error "cycle between definitions";

    // Types (E03xx).
    E0300 Error "unknown field";
    E0301 Error "missing field";
    E0302 Error "type mismatch";
    E0303 Error "invalid unit";
    E0304 Error "number out of range";
    E0305 Error "string does not fit its type";
    E0306 Error "not a value of the enum";
    E0307 Error "requirement not met";
    E0308 Error "field set twice";
    E0309 Error "invalid operation";
    E0310 Error "wrong arguments";
    E0311 Error "condition cannot select clusters";
    E0312 Error "unsupported type";

    // The fleet's own checks (E04xx, W04xx for warnings).
    E0403 Error "name not usable in Kubernetes";
    E0405 Error "field set twice at one layer";
    W0406 Warning "selector selects no cluster";
    E0407 Error "invalid promotion path";
    E0408 Error "later stage ahead of the stage before";
    E0409 Error "namespace owned by two teams";
    E0410 Error "plaintext credential";
    W0411 Warning "Kubernetes version past its support";
    E0412 Error "Kubernetes version not offered by the cloud";
    E0413 Error "app in a namespace its team does not own";
    E0414 Error "policy without a mode for a targeted env";
    E0415 Error "protected env without an approval";
    E0416 Error "canary steps out of order";
    E0417 Error "workload breaks an enforced policy";
    W0418 Warning "clusters not registered with Argo CD";
    E0419 Error "policy parameter not given";
    E0420 Error "targeted controller older than the generated objects need";
    E0421 Error "more than a composition composes";
    W0422 Warning "taints of an AKS default node pool not applied";
    E0423 Error "no cloud account for a cluster";
    E0424 Error "a cluster label fleet or Argo CD sets";
}
