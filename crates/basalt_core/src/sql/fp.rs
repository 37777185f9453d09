//! Decimal digits of a real, as SQLite's number-to-text conversions produce them.
//!
//! SQLite does not print reals with the shortest round-trip digits nor with the C library's
//! `printf`. Its decoder (measured against 3.54.1):
//! - produces 18 or 19 significant digits of the exact binary value (the real scaled by a
//!   power of ten chosen from its binary exponent: `0.1` keeps 19, `1/3` 18), rounded to
//!   nearest, ties away from zero;
//! - rounds those digits again to the precision asked for, looking at the single next digit
//!   (so `1/3` printed with 17 digits is `0.33333333333333332`: the 18th digit was already
//!   rounded up from `…3148`);
//! - caps the precision at 16 significant digits, or 26 with the `!` flag (only 18 or 19
//!   exist: `%!.20g` of `0.1` is `0.1000000000000000056`);
//! - when exactly 17 significant digits are asked for (`%!.17g`, used to render reals as text;
//!   not `%f` digits that happen to number 17), prefers a shorter form when the 15th and 16th
//!   digits are both `0` or both `9` and the shorter digits read back as the same real, so that
//!   `0.1` prints as `0.1` and not `0.10000000000000001`.
//!
//! SQLite's decoder works in double-double arithmetic, so its last digit is sometimes one off,
//! more often at extreme exponents, and its read-back check is not always exact; Basalt's
//! digits are exact, so a few random reals in a thousand render with a different last digit
//! (`tests/printf_digits_vs_sqlite.rs` bounds it). Values written as short decimals render
//! identically.

/// The digits SQLite's decoder keeps before any requested rounding: it scales the real by
/// `10^(17 - p)`, `p` the decimal exponent its binary exponent suggests, so it keeps 18 or 19
/// digits depending on where the real sits between two powers of two.
const DECODER_DIGITS: i32 = 17;

/// A finite real as decimal digits: `0.d1 d2 d3 … × 10^point`, `digits` without trailing zeros
/// (empty for zero).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decimal {
    pub negative: bool,
    pub digits: Vec<u8>,
    pub point: i32,
}

/// How many digits to keep.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Precision {
    /// Significant digits (`%e`, `%g`).
    Significant(i32),
    /// Digits after the decimal point (`%f`).
    Fraction(i32),
}

/// Decodes a finite real into at most `max_digits` significant digits (16, or 26 with the `!`
/// flag), rounded as SQLite rounds them.
pub(crate) fn decode(r: f64, precision: Precision, max_digits: i32) -> Decimal {
    let negative = r.is_sign_negative() && r != 0.0;
    let mut d = exact_digits(r.abs());
    if d.digits.is_empty() {
        return Decimal { negative, ..d };
    }
    let mut keep = match precision {
        Precision::Significant(n) => n,
        Precision::Fraction(n) => d.point + n,
    };
    if keep < 0 {
        return Decimal {
            negative,
            digits: Vec::new(),
            point: 0,
        };
    }
    if keep == 0 {
        // Rounding to no digit at all: only a first digit of 5 or more survives, as a 1 in the
        // next position up.
        if d.digits[0] >= 5 {
            return Decimal {
                negative,
                digits: vec![1],
                point: d.point + 1,
            };
        }
        return Decimal {
            negative,
            digits: Vec::new(),
            point: 0,
        };
    }
    keep = keep.min(max_digits);
    // Only 17 significant digits asked as such (not 17 reached by a `%f` precision).
    if keep == 17 && matches!(precision, Precision::Significant(17)) {
        if let Some(short) = shorter_round_trip(r.abs(), &d) {
            return Decimal { negative, ..short };
        }
    }
    round_digits(&mut d, keep as usize);
    Decimal { negative, ..d }
}

/// The decoder's digits of a non-negative finite real.
fn exact_digits(r: f64) -> Decimal {
    if r == 0.0 {
        return Decimal {
            negative: false,
            digits: Vec::new(),
            point: 0,
        };
    }
    // Rust prints the exact binary value correctly rounded to 30 digits: plenty to round to 18
    // with ties away from zero (a 30-digit rounding can only mislead on a run of a dozen 9s).
    let text = format!("{r:.29e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let mut d = Decimal {
        negative: false,
        digits: mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect(),
        point: exponent + 1,
    };
    // floor(e2 * log10(2)) as SQLite computes it, in fixed point.
    let p = (i64::from(binary_exponent(r)) * 78913) >> 18;
    let kept = (i64::from(d.point + DECODER_DIGITS) - p).clamp(18, 19);
    round_digits(&mut d, kept as usize);
    d
}

/// floor(log2(r)) of a positive finite real, subnormals included.
fn binary_exponent(r: f64) -> i32 {
    let bits = r.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: the exponent of its highest set mantissa bit.
        let mantissa = bits & ((1 << 52) - 1);
        return -1022 - (52 - (63 - mantissa.leading_zeros() as i32));
    }
    biased - 1023
}

/// Rounds to `n` significant digits by the next digit alone, half away from zero, and drops
/// trailing zeros.
pub(crate) fn round_digits(d: &mut Decimal, n: usize) {
    if d.digits.len() > n {
        let round_up = d.digits[n] >= 5;
        d.digits.truncate(n);
        if round_up {
            increment(d);
        }
    }
    while d.digits.last() == Some(&0) {
        d.digits.pop();
    }
}

/// Adds one unit in the last place, carrying into a new leading digit if all were 9.
fn increment(d: &mut Decimal) {
    for digit in d.digits.iter_mut().rev() {
        if *digit == 9 {
            *digit = 0;
        } else {
            *digit += 1;
            return;
        }
    }
    d.digits.insert(0, 1);
    d.digits.pop();
    d.point += 1;
}

/// The 17-digit special case: digits 15 and 16 both `0` (or both `9`) suggest the real was
/// written with fewer digits; use them if they read back exactly.
fn shorter_round_trip(r: f64, d: &Decimal) -> Option<Decimal> {
    let z = &d.digits;
    let pair = (
        z.get(14).copied().unwrap_or(0),
        z.get(15).copied().unwrap_or(0),
    );
    let mut short = match pair {
        (0, 0) => {
            let kept = z[..z.len().min(14)].to_vec();
            Decimal {
                negative: false,
                digits: kept,
                point: d.point,
            }
        }
        (9, 9) => {
            let mut rounded = Decimal {
                negative: false,
                digits: z[..14].to_vec(),
                point: d.point,
            };
            increment(&mut rounded);
            rounded
        }
        _ => return None,
    };
    while short.digits.last() == Some(&0) {
        short.digits.pop();
    }
    (to_f64(&short) == r).then_some(short)
}

fn to_f64(d: &Decimal) -> f64 {
    if d.digits.is_empty() {
        return 0.0;
    }
    let digits: String = d.digits.iter().map(|&b| char::from(b'0' + b)).collect();
    format!("0.{digits}e{}", d.point)
        .parse()
        .unwrap_or(f64::NAN)
}

/// Renders a real the way SQLite converts it to text (`CAST(r AS TEXT)`, `r || ''`): up to 17
/// significant digits, always with a decimal point or an exponent, `Inf`/`-Inf` for infinities.
/// Negative zero renders as `0.0`.
pub fn real_to_text(r: f64) -> String {
    if r.is_nan() {
        // Never stored (NaN becomes NULL), but a rendering must exist.
        return "NaN".to_owned();
    }
    if r.is_infinite() {
        return if r > 0.0 { "Inf" } else { "-Inf" }.to_owned();
    }
    let d = decode(r, Precision::Significant(17), 26);
    let mut out = String::new();
    if d.negative {
        out.push('-');
    }
    if d.digits.is_empty() {
        out.push_str("0.0");
        return out;
    }
    let exp = d.point - 1;
    if !(-4..17).contains(&exp) {
        push_digit(&mut out, d.digits[0]);
        out.push('.');
        push_digits_or_zero(&mut out, &d.digits[1..]);
        push_exponent(&mut out, exp, 'e');
    } else if d.point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-d.point) as usize));
        push_digits_or_zero(&mut out, &d.digits);
    } else {
        let point = d.point as usize;
        for i in 0..point {
            push_digit(&mut out, d.digits.get(i).copied().unwrap_or(0));
        }
        out.push('.');
        push_digits_or_zero(&mut out, d.digits.get(point..).unwrap_or(&[]));
    }
    out
}

fn push_digit(out: &mut String, digit: u8) {
    out.push(char::from(b'0' + digit));
}

fn push_digits_or_zero(out: &mut String, digits: &[u8]) {
    if digits.is_empty() {
        out.push('0');
    }
    for &digit in digits {
        push_digit(out, digit);
    }
}

/// `e+05`, `e-123`: a sign and at least two digits, as C's printf.
pub(crate) fn push_exponent(out: &mut String, exp: i32, letter: char) {
    out.push(letter);
    out.push(if exp < 0 { '-' } else { '+' });
    let magnitude = exp.unsigned_abs();
    if magnitude < 10 {
        out.push('0');
    }
    out.push_str(&magnitude.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_sqlite() {
        let cases = [
            (0.1, "0.1"),
            (1e100, "1.0e+100"),
            (1.0, "1.0"),
            (2.5e-7, "2.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "10000000000000000.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (-0.0, "0.0"),
            (9.223372036854776e18, "9.2233720368547758e+18"),
            (1.0 / 3.0, "0.33333333333333332"),
            (0.30000000000000004, "0.30000000000000004"),
            (5e-324, "4.9406564584124654e-324"),
            (1e-5, "1.0e-05"),
            (0.0001, "0.0001"),
            (100.0, "100.0"),
            (f64::INFINITY, "Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (7.96665e-3, "0.00796665"),
            (9.83775e-4, "0.0009837750000000001"),
            (8.76197, "8.76197"),
        ];
        for (r, text) in cases {
            assert_eq!(real_to_text(r), text, "{r:e}");
        }
    }
}
