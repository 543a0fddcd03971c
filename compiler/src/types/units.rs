//! The meaning of number-with-unit literals, decided by the type that expects them
//! (decision 003): `30s` as a `Duration`, `500m` as `Cpu`, `2Gi` as `Memory`,
//! `10%` as a `Percent`.

use std::fmt;

/// The unit types of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitKind {
    Duration,
    Percent,
    Cpu,
    Memory,
}

impl UnitKind {
    pub fn name(self) -> &'static str {
        match self {
            UnitKind::Duration => "Duration",
            UnitKind::Percent => "Percent",
            UnitKind::Cpu => "Cpu",
            UnitKind::Memory => "Memory",
        }
    }

    /// The suffixes this kind accepts, for help messages.
    pub fn suffixes(self) -> &'static str {
        match self {
            UnitKind::Duration => "`ms`, `s`, `m`, `h` or `d`, as in `30s` or `1h30m`",
            UnitKind::Percent => "`%`, from `0%` to `100%`",
            UnitKind::Cpu => "`m` (millicores, `250m`) or none (cores, `2`)",
            UnitKind::Memory => "`Ki`, `Mi`, `Gi`, `Ti` (or `k`, `M`, `G`, `T`), as in `512Mi`",
        }
    }
}

/// A quantity in its kind's base unit: milliseconds, hundredths of a percent,
/// millicores, bytes. Integers, so equality and order are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quantity {
    pub kind: UnitKind,
    pub amount: i128,
}

impl Quantity {
    /// Kubernetes' own spelling: `250m`, `512Mi`, `30s`, `99.5%`.
    pub fn kubernetes_text(&self) -> String {
        match self.kind {
            UnitKind::Duration => format_duration(self.amount),
            UnitKind::Percent => {
                let whole = self.amount / 100;
                let fraction = self.amount % 100;
                if fraction == 0 {
                    format!("{whole}%")
                } else {
                    let digits = format!("{fraction:02}");
                    format!("{whole}.{}%", digits.trim_end_matches('0'))
                }
            }
            UnitKind::Cpu => {
                if self.amount % 1000 == 0 {
                    format!("{}", self.amount / 1000)
                } else {
                    format!("{}m", self.amount)
                }
            }
            UnitKind::Memory => format_bytes(self.amount),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kubernetes_text())
    }
}

fn format_duration(milliseconds: i128) -> String {
    if milliseconds == 0 {
        return "0s".into();
    }
    let mut rest = milliseconds;
    let mut out = String::new();
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

fn format_bytes(bytes: i128) -> String {
    for (unit, size) in [
        ("Ti", 1i128 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        if bytes != 0 && bytes % size == 0 {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

/// Why a literal is not a quantity of the expected kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitError {
    /// The suffix is not one this kind accepts (`500mi` as Memory).
    UnknownSuffix {
        suffix: String,
        did_you_mean: Option<&'static str>,
    },
    /// The number is out of the kind's range (`110%`).
    OutOfRange(String),
    /// A plain number where a unit is needed (`30` as a Duration).
    MissingUnit,
}

/// Reads `text` (a `NUMBER` or `QUANTITY` token) as a quantity of `kind`.
pub fn parse_quantity(text: &str, kind: UnitKind) -> Result<Quantity, UnitError> {
    let text = text.replace('_', "");
    if kind == UnitKind::Duration {
        return parse_duration(&text).map(|amount| Quantity { kind, amount });
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let scaled = |scale: i128| scale_decimal(number, scale);
    let amount = match (kind, suffix) {
        (UnitKind::Percent, "%") => {
            let amount = scaled(100).ok_or(UnitError::MissingUnit)?;
            if amount > 100 * 100 {
                return Err(UnitError::OutOfRange(format!("`{text}` is more than 100%")));
            }
            Some(amount)
        }
        (UnitKind::Percent, "") => return Err(UnitError::MissingUnit),
        (UnitKind::Cpu, "m") => scaled(1),
        (UnitKind::Cpu, "") => scaled(1000),
        (UnitKind::Memory, "") => scaled(1),
        (UnitKind::Memory, suffix) => match memory_scale(suffix) {
            Some(scale) => scaled(scale),
            None => {
                return Err(UnitError::UnknownSuffix {
                    suffix: suffix.to_string(),
                    did_you_mean: memory_suffix_fix(suffix),
                });
            }
        },
        (_, suffix) => {
            return Err(UnitError::UnknownSuffix {
                suffix: suffix.to_string(),
                did_you_mean: (kind == UnitKind::Cpu && suffix.eq_ignore_ascii_case("m"))
                    .then_some("m"),
            });
        }
    }
    .ok_or(UnitError::MissingUnit)?;
    Ok(Quantity { kind, amount })
}

fn memory_scale(suffix: &str) -> Option<i128> {
    Some(match suffix {
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        _ => return None,
    })
}

/// `mi` -> `Mi`, `gb` -> `Gi`, ...: the spelling most likely meant.
fn memory_suffix_fix(suffix: &str) -> Option<&'static str> {
    Some(match suffix.to_ascii_lowercase().as_str() {
        "ki" | "kib" | "kb" => "Ki",
        "mi" | "mib" | "mb" | "m" => "Mi",
        "gi" | "gib" | "gb" | "g" => "Gi",
        "ti" | "tib" | "tb" | "t" => "Ti",
        _ => return None,
    })
}

/// `1.5` scaled by 1000 is `1500`; `None` if it is not a whole number then.
fn scale_decimal(number: &str, scale: i128) -> Option<i128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut amount = whole.checked_mul(scale)?;
    let mut place = scale;
    for digit in fraction.chars() {
        place /= 10;
        let digit = digit.to_digit(10)? as i128;
        if place == 0 {
            if digit != 0 {
                return None;
            }
            continue;
        }
        amount += digit * place;
    }
    Some(amount)
}

/// `1h30m`, `500ms`, `1.5h`, `2d`.
fn parse_duration(text: &str) -> Result<i128, UnitError> {
    if !text.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err(UnitError::MissingUnit);
    }
    let mut total = 0i128;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        let letters = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (suffix, next) = after.split_at(letters);
        let scale = match suffix {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => {
                let did_you_mean = match suffix {
                    "sec" | "secs" | "second" | "seconds" => Some("s"),
                    "min" | "mins" | "minute" | "minutes" => Some("m"),
                    "hr" | "hrs" | "hour" | "hours" => Some("h"),
                    "day" | "days" => Some("d"),
                    _ => None,
                };
                return Err(UnitError::UnknownSuffix {
                    suffix: suffix.to_string(),
                    did_you_mean,
                });
            }
        };
        total += scale_decimal(number, scale).ok_or(UnitError::MissingUnit)?;
        rest = next;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str, kind: UnitKind) -> i128 {
        parse_quantity(text, kind).unwrap().amount
    }

    #[test]
    fn the_same_suffix_means_what_the_type_says() {
        assert_eq!(amount("5m", UnitKind::Duration), 300_000);
        assert_eq!(amount("5m", UnitKind::Cpu), 5);
        assert_eq!(amount("1h30m", UnitKind::Duration), 5_400_000);
        assert_eq!(amount("1.5h", UnitKind::Duration), 5_400_000);
        assert_eq!(amount("500ms", UnitKind::Duration), 500);
        assert_eq!(amount("2", UnitKind::Cpu), 2_000);
        assert_eq!(amount("0.5", UnitKind::Cpu), 500);
        assert_eq!(amount("512Mi", UnitKind::Memory), 512 << 20);
        assert_eq!(amount("1G", UnitKind::Memory), 1_000_000_000);
        assert_eq!(amount("99.5%", UnitKind::Percent), 9_950);
    }

    #[test]
    fn wrong_units_say_what_was_meant() {
        assert_eq!(
            parse_quantity("500mi", UnitKind::Memory),
            Err(UnitError::UnknownSuffix {
                suffix: "mi".into(),
                did_you_mean: Some("Mi")
            })
        );
        assert!(matches!(
            parse_quantity("110%", UnitKind::Percent),
            Err(UnitError::OutOfRange(_))
        ));
        assert_eq!(
            parse_quantity("30", UnitKind::Duration),
            Err(UnitError::MissingUnit)
        );
        assert_eq!(
            parse_quantity("30sec", UnitKind::Duration),
            Err(UnitError::UnknownSuffix {
                suffix: "sec".into(),
                did_you_mean: Some("s")
            })
        );
    }

    #[test]
    fn quantities_print_as_kubernetes_writes_them() {
        assert_eq!(
            parse_quantity("250m", UnitKind::Cpu).unwrap().to_string(),
            "250m"
        );
        assert_eq!(parse_quantity("2", UnitKind::Cpu).unwrap().to_string(), "2");
        assert_eq!(
            parse_quantity("512Mi", UnitKind::Memory)
                .unwrap()
                .to_string(),
            "512Mi"
        );
        assert_eq!(
            parse_quantity("90m", UnitKind::Duration)
                .unwrap()
                .to_string(),
            "1h30m"
        );
        assert_eq!(
            parse_quantity("99%", UnitKind::Percent)
                .unwrap()
                .to_string(),
            "99%"
        );
    }
}
