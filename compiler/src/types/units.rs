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

    /// The smallest step of this kind: "a millicore".
    pub fn step(self) -> &'static str {
        match self {
            UnitKind::Duration => "a millisecond",
            UnitKind::Percent => "a hundredth of a percent",
            UnitKind::Cpu => "a millicore",
            UnitKind::Memory => "a byte",
        }
    }

    /// What this kind counts, in whole steps: "millicores".
    pub fn steps(self) -> &'static str {
        match self {
            UnitKind::Duration => "milliseconds",
            UnitKind::Percent => "hundredths of a percent",
            UnitKind::Cpu => "millicores",
            UnitKind::Memory => "bytes",
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
    /// A plain number where a unit is needed (`30` as a Duration, `256` as Memory).
    MissingUnit,
    /// A duration whose last number has no unit (`1h30`), with the unit that
    /// likely follows the one before it (`m`).
    TrailingNumber {
        number: String,
        did_you_mean: Option<&'static str>,
    },
    /// Finer than the kind counts (`0.5m` as a Cpu: less than a millicore), with
    /// the nearest quantity that is not, as it is written (`1m`).
    TooFine { nearest: Option<String> },
    /// Below zero (`-250m`).
    Negative,
    /// Too large to hold.
    TooLarge,
}

/// Reads `text` (a `NUMBER` or `QUANTITY` token) as a quantity of `kind`.
pub fn parse_quantity(text: &str, kind: UnitKind) -> Result<Quantity, UnitError> {
    let text = text.replace('_', "");
    if let Some(positive) = text.strip_prefix('-') {
        let (number, _) = split_number(positive);
        return match scale_decimal(number, 1) {
            Ok((0, true)) => parse_quantity(positive, kind),
            _ => Err(UnitError::Negative),
        };
    }
    if kind == UnitKind::Duration {
        return parse_duration(&text).map(|amount| Quantity { kind, amount });
    }
    let (number, suffix) = split_number(&text);
    let scale = match (kind, suffix) {
        (UnitKind::Percent, "%") => 100,
        (UnitKind::Cpu, "m") => 1,
        (UnitKind::Cpu, "") => 1000,
        // A plain number as Memory would be bytes: never what was meant.
        (UnitKind::Percent | UnitKind::Memory, "") => return Err(UnitError::MissingUnit),
        (UnitKind::Memory, suffix) => match memory_scale(suffix) {
            Some(scale) => scale,
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
    };
    let (amount, exact) = scale_decimal(number, scale)?;
    if kind == UnitKind::Percent && amount > 100 * 100 {
        return Err(UnitError::OutOfRange(format!(
            "`{text}` is more than `100%`"
        )));
    }
    if !exact {
        let nearest = match kind {
            UnitKind::Memory => memory_with_unit(amount, suffix.ends_with('i')),
            _ => Some(
                Quantity {
                    kind,
                    amount: amount.max(1),
                }
                .kubernetes_text(),
            ),
        };
        return Err(UnitError::TooFine { nearest });
    }
    Ok(Quantity { kind, amount })
}

/// `250m` -> (`250`, `m`): the number and what follows it.
fn split_number(text: &str) -> (&str, &str) {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    text.split_at(split)
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
        "P" => 1_000_000_000_000_000,
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

/// `bytes` written with a unit of one system (`Ki`, `Mi`, ... when `binary`, else
/// `k`, `M`, ...): exactly when a unit divides it, else rounded in the largest
/// unit that keeps two digits (`0.1Gi`, 107374182 bytes, -> `102Mi`). `None` below
/// ten of the smallest unit.
pub fn memory_with_unit(bytes: i128, binary: bool) -> Option<String> {
    let units: [(&str, i128); 4] = if binary {
        [
            ("Ti", 1 << 40),
            ("Gi", 1 << 30),
            ("Mi", 1 << 20),
            ("Ki", 1 << 10),
        ]
    } else {
        [
            ("T", 1_000_000_000_000),
            ("G", 1_000_000_000),
            ("M", 1_000_000),
            ("k", 1_000),
        ]
    };
    if let Some((unit, size)) = units
        .iter()
        .find(|(_, size)| bytes >= *size && bytes % size == 0)
    {
        return Some(format!("{}{unit}", bytes / size));
    }
    let (unit, size) = units.iter().find(|(_, size)| bytes >= 10 * size)?;
    Some(format!("{}{unit}", (bytes + size / 2) / size))
}

/// What a plain number given as a Memory most likely meant: mebibytes when it is
/// small (`256` -> `256Mi`; 256 bytes is no memory size), else the same number of
/// bytes written with a unit (`268435456` -> `256Mi`).
pub fn memory_unit_fix(number: &str) -> Option<String> {
    let number = number.replace('_', "");
    let (bytes, exact) = scale_decimal(&number, 1).ok()?;
    if !exact || bytes < 1 << 20 {
        return Some(format!("{number}Mi"));
    }
    // The shorter of the two systems (`2000000000` is `2G`, not `1953125Ki`).
    let binary = memory_with_unit(bytes, true)?;
    let decimal = memory_with_unit(bytes, false)?;
    let exact = |text: &str| {
        parse_quantity(text, UnitKind::Memory).ok()
            == Some(Quantity {
                kind: UnitKind::Memory,
                amount: bytes,
            })
    };
    Some(match (exact(&binary), exact(&decimal)) {
        (true, true) if decimal.len() < binary.len() => decimal,
        (false, true) => decimal,
        _ => binary,
    })
}

/// `1.5` times `scale` (1000: `1500`): the nearest whole amount, and whether it is
/// exactly that.
fn scale_decimal(number: &str, scale: i128) -> Result<(i128, bool), UnitError> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(UnitError::MissingUnit);
    }
    let fraction = fraction.trim_end_matches('0');
    // Decimals past what any scale uses only decide the rounding.
    let (kept, dropped) = fraction.split_at(fraction.len().min(18));
    let digits = format!("{whole}{kept}");
    let mantissa: i128 = digits.trim_start_matches('0').parse().or_else(|_| {
        if digits.chars().all(|c| c == '0') {
            Ok(0)
        } else {
            Err(UnitError::TooLarge)
        }
    })?;
    let denominator = 10i128.pow(kept.len() as u32);
    let numerator = mantissa.checked_mul(scale).ok_or(UnitError::TooLarge)?;
    let rounded = numerator
        .checked_add(denominator / 2)
        .ok_or(UnitError::TooLarge)?
        / denominator;
    let exact = numerator % denominator == 0 && dropped.is_empty();
    Ok((rounded, exact))
}

/// `1h30m`, `500ms`, `1.5h`, `2d`.
fn parse_duration(text: &str) -> Result<i128, UnitError> {
    if !text.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err(UnitError::MissingUnit);
    }
    let mut total = 0i128;
    let mut exact = true;
    let mut previous = "";
    let mut rest = text;
    while !rest.is_empty() {
        let (number, after) = split_number(rest);
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
            "" => {
                return Err(UnitError::TrailingNumber {
                    number: number.to_string(),
                    did_you_mean: match previous {
                        "d" => Some("h"),
                        "h" => Some("m"),
                        "m" => Some("s"),
                        "s" => Some("ms"),
                        _ => None,
                    },
                });
            }
            _ => {
                let did_you_mean = match suffix.to_ascii_lowercase().as_str() {
                    "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => Some("ms"),
                    "s" | "sec" | "secs" | "second" | "seconds" => Some("s"),
                    "m" | "min" | "mins" | "minute" | "minutes" => Some("m"),
                    "h" | "hr" | "hrs" | "hour" | "hours" => Some("h"),
                    "d" | "day" | "days" => Some("d"),
                    _ => None,
                };
                return Err(UnitError::UnknownSuffix {
                    suffix: suffix.to_string(),
                    did_you_mean,
                });
            }
        };
        let (amount, whole) = scale_decimal(number, scale)?;
        total = total.checked_add(amount).ok_or(UnitError::TooLarge)?;
        exact &= whole;
        previous = suffix;
        rest = next;
    }
    if !exact {
        return Err(UnitError::TooFine {
            nearest: Some(format_duration(total.max(1))),
        });
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
    fn each_problem_is_told_apart() {
        let too_fine = |nearest: &str| {
            Err(UnitError::TooFine {
                nearest: Some(nearest.into()),
            })
        };
        // Finer than the kind counts: not a missing unit.
        assert_eq!(parse_quantity("0.5m", UnitKind::Cpu), too_fine("1m"));
        assert_eq!(parse_quantity("1.2345", UnitKind::Cpu), too_fine("1235m"));
        assert_eq!(parse_quantity("1.5ms", UnitKind::Duration), too_fine("2ms"));
        assert_eq!(
            parse_quantity("0.001%", UnitKind::Percent),
            too_fine("0.01%")
        );
        assert_eq!(parse_quantity("0.1Gi", UnitKind::Memory), too_fine("102Mi"));
        assert_eq!(
            parse_quantity("0.5G", UnitKind::Memory).unwrap().amount,
            500_000_000
        );
        // A plain number is bytes to Kubernetes: a Memory needs a unit.
        assert_eq!(
            parse_quantity("256", UnitKind::Memory),
            Err(UnitError::MissingUnit)
        );
        assert_eq!(memory_unit_fix("256").as_deref(), Some("256Mi"));
        assert_eq!(memory_unit_fix("268435456").as_deref(), Some("256Mi"));
        assert_eq!(memory_unit_fix("2_000_000_000").as_deref(), Some("2G"));
        assert_eq!(
            parse_quantity("10", UnitKind::Percent),
            Err(UnitError::MissingUnit)
        );
        assert_eq!(
            parse_quantity("1h30", UnitKind::Duration),
            Err(UnitError::TrailingNumber {
                number: "30".into(),
                did_you_mean: Some("m")
            })
        );
        assert_eq!(
            parse_quantity("30S", UnitKind::Duration),
            Err(UnitError::UnknownSuffix {
                suffix: "S".into(),
                did_you_mean: Some("s")
            })
        );
        assert_eq!(
            parse_quantity("-250m", UnitKind::Cpu),
            Err(UnitError::Negative)
        );
        assert_eq!(parse_quantity("-0", UnitKind::Cpu).unwrap().amount, 0);
        assert_eq!(
            parse_quantity("99999999999999999999999999999999Pi", UnitKind::Memory),
            Err(UnitError::TooLarge)
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
