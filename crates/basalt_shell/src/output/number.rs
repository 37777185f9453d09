//! Reals as text, the way SQLite 3.54 converts them (`CAST(r AS TEXT)`, what
//! `sqlite3_column_text` gives the shell): `%!.17g` with a preference for fewer digits.
//!
//! The rule (probed with rusqlite's SQLite 3.54): take 17 significant digits; when the 15th
//! and 16th are both `0` or both `9`, use the 15-digit rounding instead if it reads back as the
//! same real (so `0.1` is `0.1`, yet `1/3.0` is `0.33333333333333331`); strip trailing zeros
//! but keep one digit after the point; exponent form (`1.0e+100`, `2.5e-07`) below 1e-4 and
//! from 1e17 up.
//!
//! `basalt_core::sql::fp::real_to_text` (the SQL value semantics, in progress in another
//! crate module and not exported yet) is the engine's version of this rule, including
//! SQLite's decoder quirks at the 17th digit; once it is public the shell should call it and
//! this module should go.

/// The text of a real as SQLite gives it to the shell.
pub fn real_to_text(r: f64) -> String {
    if r.is_nan() {
        return "NaN".to_owned();
    }
    if r.is_infinite() {
        return if r > 0.0 { "Inf" } else { "-Inf" }.to_owned();
    }
    if r == 0.0 {
        // SQLite prints -0.0 as 0.0 as well.
        return "0.0".to_owned();
    }
    let (digits, exponent) = significant_digits(r);
    let mut out = String::new();
    if r < 0.0 {
        out.push('-');
    }
    if !(-4..17).contains(&exponent) {
        out.push(char::from(digits[0]));
        out.push('.');
        push_fraction(&mut out, &digits[1..]);
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exponent.unsigned_abs()));
    } else if exponent < 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exponent - 1) as usize));
        push_fraction(&mut out, &digits);
    } else {
        let point = exponent as usize + 1;
        for i in 0..point {
            out.push(char::from(digits.get(i).copied().unwrap_or(b'0')));
        }
        out.push('.');
        push_fraction(&mut out, digits.get(point..).unwrap_or(&[]));
    }
    out
}

/// Digits after the point, at least one.
fn push_fraction(out: &mut String, digits: &[u8]) {
    if digits.is_empty() {
        out.push('0');
    } else {
        out.extend(digits.iter().map(|&d| char::from(d)));
    }
}

/// The significant digits (ASCII, no trailing zeros, at least one) and the decimal exponent of
/// the first one, for a finite non-zero real.
fn significant_digits(r: f64) -> (Vec<u8>, i32) {
    let (mut digits, mut exponent) = digits_at(r, 17);
    let d15 = digits.get(14).copied();
    let d16 = digits.get(15).copied();
    if d15 == d16 && matches!(d15, Some(b'0') | Some(b'9')) {
        let (short, short_exponent) = digits_at(r, 15);
        let text = format!(
            "{}{}.{}e{short_exponent}",
            if r < 0.0 { "-" } else { "" },
            char::from(short[0]),
            String::from_utf8_lossy(&short[1..])
        );
        if text.parse::<f64>() == Ok(r) {
            (digits, exponent) = (short, short_exponent);
        }
    }
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exponent)
}

/// `precision` significant digits of |r| and the exponent of the first, rounded as SQLite's
/// decoder rounds: first to 18 digits (correctly), then to `precision` by the next digit alone,
/// ties away from zero (so `1/3.0` ends in …332, not …331).
fn digits_at(r: f64, precision: usize) -> (Vec<u8>, i32) {
    const DECODER_DIGITS: usize = 18;
    let text = format!("{:.*e}", DECODER_DIGITS - 1, r.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mut exponent: i32 = exponent.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let round_up = digits.get(precision).is_some_and(|&d| d >= b'5');
    digits.truncate(precision);
    if round_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                // All nines: 9.99… becomes 10.0…, one more power of ten.
                digits.insert(0, b'1');
                digits.truncate(precision);
                exponent += 1;
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    (digits, exponent)
}

/// A real as an SQL literal for `.mode insert` and `.dump`: integral values as `N.0` so they
/// read back as reals, infinities as `1e999`/`-1e999`, anything else as its text.
pub fn real_to_sql(r: f64) -> String {
    if r.is_infinite() {
        return if r > 0.0 { "1e999" } else { "-1e999" }.to_owned();
    }
    // `as` saturates; the comparison only holds for reals that are exactly integers.
    let integer = r as i64;
    if integer as f64 == r && r.abs() < 9.2e18 {
        format!("{integer}.0")
    } else {
        real_to_text(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_text(r: f64) -> String {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.query_row("SELECT CAST(?1 AS TEXT)", [r], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn matches_sqlite_cast_to_text() {
        let mut values = vec![
            0.1,
            0.2,
            0.1 + 0.2,
            1.0 / 3.0,
            2.0 / 3.0,
            1.0,
            -1.0,
            1.5,
            100.0,
            1e15,
            1e16,
            1e17,
            123456789012345678.0,
            1e100,
            1e-5,
            1e-4,
            2.5e-7,
            -2.5e-7,
            2.71,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            9007199254740993.0,
            0.999999999999999,
            12345.678,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Short decimals, which render identically whatever the decoder. (Reals that need all
        // 17 digits, like 72/7.0, can differ in the last one: SQLite's decoder is not exact.)
        for i in 1..2000 {
            values.push(i as f64 * 0.01);
        }
        for r in values {
            assert_eq!(real_to_text(r), sqlite_text(r), "{r:e}");
        }
    }

    #[test]
    fn sql_literals() {
        assert_eq!(real_to_sql(1.0), "1.0");
        assert_eq!(real_to_sql(1e15), "1000000000000000.0");
        assert_eq!(real_to_sql(0.5), "0.5");
        assert_eq!(real_to_sql(f64::NEG_INFINITY), "-1e999");
    }
}
