//! Decimal digits of a real, as SQLite's number-to-text conversions produce them, and the
//! decimal-to-real conversion SQLite uses to check them.
//!
//! SQLite 3.54 prints reals neither with the shortest round-trip digits nor with the C
//! library's `printf`, but with a fixed-point method of its own whose inexactness is visible in
//! the last digit; so Basalt performs the same arithmetic, step for step:
//! - **Powers of ten** are 96-bit approximations (64 high bits, 32 more): exact for 10^0 …
//!   10^26; otherwise a rounded 96-bit value of 10^(27·g) (10^-1 truncated, for p = -1 alone)
//!   times the exact 10^n (p = 27g + n), keeping the top 96 bits of the 160-bit product (the
//!   lowest of them forced to 1 when a normalising shift was needed).
//! - **Real → digits** ([`decode`]): the 64-bit normalised mantissa times the high 64 bits of
//!   10^p, truncated; 18 digits are rounded half-up from one extra bit, fewer are truncated
//!   from one extra digit. The requested precision is then applied by looking at the next digit
//!   alone, and is capped (16 digits, or 20 with printf's `!` flag).
//! - **Exactly 17 digits** (`%!.17g`, the text form of a real) first try a shorter form when
//!   digits 15–16 are `99`, or digits 14–16 are `000`, or the value is an integer: the shorter
//!   digits are used if [`decimal_to_f64`] reads them back as the same real.
//! - **Digits → real** ([`decimal_to_f64`]): a 64×64-bit product with a sticky bit from the
//!   low power bits, rounded to nearest even; SQLite uses it for every text-to-real conversion.
//!
//! Invariant: `Decimal::digits` never has trailing zeros, and is empty only for zero (or a
//! value rounded away to nothing).

/// The digits the decoder produces when asked for 18 or more (or for a fixed point).
const DECODER_DIGITS: i32 = 18;

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

/// 10^0 … 10^26 with bit 63 set: 10^n = 5^n · 2^n and 5^26 < 2^61, so each is exact.
fn exact_power(n: usize) -> u64 {
    let five = 5u64.pow(n as u32);
    five << five.leading_zeros()
}

/// A little-endian multi-word unsigned integer, only for building the scale table once.
struct Big(Vec<u32>);

impl Big {
    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for w in &mut self.0 {
            let t = u64::from(*w) * u64::from(m) + carry;
            *w = t as u32;
            carry = t >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    /// Floor division; floor(floor(x/a)/b) = floor(x/(ab)), so repeated calls stay exact.
    fn div_small(&mut self, d: u32) {
        let mut rem = 0u64;
        for w in self.0.iter_mut().rev() {
            let t = (rem << 32) | u64::from(*w);
            *w = (t / u64::from(d)) as u32;
            rem = t % u64::from(d);
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn bits(&self) -> usize {
        self.0.len() * 32 - self.0.last().map_or(32, |w| w.leading_zeros() as usize)
    }

    /// Bit `i`; bits below the units are zero.
    fn bit(&self, i: isize) -> u64 {
        usize::try_from(i).map_or(0, |i| {
            u64::from(self.0.get(i / 32).copied().unwrap_or(0) >> (i % 32) & 1)
        })
    }

    /// The top 96 bits, rounded by the next one (`round`) or truncated.
    fn top96(&self, round: bool) -> (u64, u32) {
        let top = self.bits() as isize;
        let mut v: u128 = 0;
        for i in 0..96 {
            v = v << 1 | u128::from(self.bit(top - 1 - i));
        }
        if round && self.bit(top - 97) == 1 {
            v += 1;
        }
        ((v >> 32) as u64, v as u32)
    }
}

/// 96-bit approximations of 10^(27g) for g = -13 … 12; slot 13 (g = 0) holds 10^-1 instead.
fn scales() -> &'static [(u64, u32); 26] {
    static TABLE: std::sync::OnceLock<[(u64, u32); 26]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|slot| {
            let g = slot as i32 - 13;
            let (exp10, round) = if g == 0 { (-1, false) } else { (27 * g, true) };
            let mut big;
            if exp10 >= 0 {
                big = Big(vec![1]);
                (0..exp10).for_each(|_| big.mul_small(10));
            } else {
                // 2^1400 / 10^k keeps well over 97 significant bits for k ≤ 351.
                let mut words = vec![0u32; 44];
                words[43] = 1 << 24;
                big = Big(words);
                (0..-exp10).for_each(|_| big.div_small(10));
            }
            big.top96(round)
        })
    })
}

/// The top 96 bits of the 160-bit product of a 96-bit `a·2^32 + a_lo` and `b`.
fn multiply160(a: u64, a_lo: u32, b: u64) -> (u64, u32) {
    let r = u128::from(a) * u128::from(b) + ((u128::from(a_lo) * u128::from(b)) >> 32);
    ((r >> 64) as u64, (r >> 32) as u32)
}

fn multiply_high(a: u64, b: u64) -> (u64, u64) {
    let r = u128::from(a) * u128::from(b);
    ((r >> 64) as u64, r as u64)
}

/// 10^p (p in -348 … 347) as its high 64 bits (bit 63 set) and the next 32.
fn power_of_ten(p: i32) -> (u64, u32) {
    debug_assert!((-348..=347).contains(&p));
    if p == -1 {
        return scales()[13];
    }
    if (0..27).contains(&p) {
        return (exact_power(p as usize), 0);
    }
    let (g, n) = (p.div_euclid(27), p.rem_euclid(27));
    let (s, s_lo) = scales()[(g + 13) as usize];
    if n == 0 {
        return (s, s_lo);
    }
    let (mut x, mut lo) = multiply160(s, s_lo, exact_power(n as usize));
    if x >> 63 == 0 {
        x = x << 1 | u64::from(lo >> 31);
        lo = lo << 1 | 1;
    }
    (x, lo)
}

/// floor(log2(10^p)), by SQLite's 5-digit ratio.
fn pow10_to_pow2(p: i32) -> i32 {
    (p * 108_853) >> 15
}

/// floor(log10(2^p)), by SQLite's 5-digit ratio.
fn pow2_to_pow10(p: i32) -> i32 {
    (p * 78_913) >> 18
}

/// `m · 2^e` (bit 63 of `m` set) as about `n` decimal digits `d` and an exponent: `d · 10^exp`.
fn binary_to_decimal(m: u64, e: i32, n: i32) -> (u64, i32) {
    debug_assert!((1..=18).contains(&n) && m >> 63 == 1);
    let p = n - 1 - pow2_to_pow10(e + 63);
    let (h, _) = multiply_high(m, power_of_ten(p).0);
    let shift = -(e + pow10_to_pow2(p) + 1);
    let d = if n == DECODER_DIGITS {
        let h = h >> (shift - 1);
        (h >> 1) + (h & 1)
    } else {
        h >> shift
    };
    (d, -p)
}

/// The real nearest `d · 10^p` as SQLite computes it (Russ Cox's method over SQLite's 96-bit
/// powers of ten). `d` must not be zero.
pub(crate) fn decimal_to_f64(d: u64, p: i32) -> f64 {
    debug_assert!(d != 0);
    if p < -348 {
        return 0.0;
    }
    if p > 347 {
        return f64::INFINITY;
    }
    let b = 64 - d.leading_zeros() as i32;
    let lp = pow10_to_pow2(p);
    let mut e = 53 - b - lp;
    if e > 1074 {
        if e >= 1130 {
            return 0.0;
        }
        e = 1074;
    }
    let s = -(e - (64 - b) + lp + 3);
    let (mut pow_hi, mut pow_lo) = power_of_ten(p);
    if pow_lo != 0 {
        // Round the 96-bit power up, and keep the complement of the bits that rounding added.
        pow_hi += 1;
        pow_lo = !pow_lo;
    }
    let x = d << (64 - b);
    let (mut hi, lo) = multiply_high(x, pow_hi);
    let mid1 = (lo >> 32) as u32;
    let mut sticky = 1;
    let low_mask = 1u64.checked_shl(s as u32).map_or(u64::MAX, |bit| bit - 1);
    if hi & low_mask == 0 {
        let mid2 = (multiply_high(x, u64::from(pow_lo) << 32).0 >> 32) as u32;
        sticky = u64::from(mid1.wrapping_sub(mid2) > 1);
        hi -= u64::from(mid1 < mid2);
    }
    let mut u = hi.checked_shr(s as u32).unwrap_or(0) | sticky;
    if u >= (1 << 55) - 2 {
        u = (u >> 1) | (u & 1);
        e -= 1;
    }
    let mut m = (u + 1 + ((u >> 2) & 1)) >> 2;
    if e <= -972 {
        return f64::INFINITY;
    }
    if m & (1 << 52) != 0 {
        m = (m & !(1 << 52)) | ((1075 - e) as u64) << 52;
    }
    f64::from_bits(m)
}

/// A numeric literal (`[+-]digits[.digits][e[+-]digits]`, leading whitespace allowed, anything
/// after it ignored) as SQLite reads it: only the first 19 or so significant digits count, then
/// [`decimal_to_f64`].
pub(crate) fn parse_decimal(text: &[u8]) -> f64 {
    const LIMIT: u64 = (u64::MAX - 9) / 10;
    let mut i = text
        .iter()
        .take_while(|&&b| super::convert::is_space(b))
        .count();
    let negative = text.get(i) == Some(&b'-');
    if matches!(text.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let digit = |i: usize| {
        text.get(i)
            .filter(|b| b.is_ascii_digit())
            .map(|b| u64::from(b - b'0'))
    };
    let (mut s, mut d) = (0u64, 0i32);
    while let Some(v) = digit(i) {
        i += 1;
        if s >= LIMIT {
            // Digits past the 19th only scale the value.
            d = d.saturating_add(1);
        } else {
            s = s * 10 + v;
        }
    }
    if text.get(i) == Some(&b'.') {
        i += 1;
        while let Some(v) = digit(i) {
            i += 1;
            if s < LIMIT {
                s = s * 10 + v;
                d -= 1;
            }
        }
    }
    if matches!(text.get(i), Some(b'e' | b'E')) {
        i += 1;
        let sign = if text.get(i) == Some(&b'-') { -1 } else { 1 };
        if matches!(text.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut exp = 0i32;
        while let Some(v) = digit(i) {
            i += 1;
            exp = if exp < 10_000 {
                exp * 10 + v as i32
            } else {
                10_000
            };
        }
        d = d.saturating_add(sign * exp);
    }
    let magnitude = if s == 0 { 0.0 } else { decimal_to_f64(s, d) };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// Decodes a finite real into significant digits, rounded as SQLite rounds them; at most
/// `max_digits` (16, or 20 with the `!` flag) survive a rounding.
pub(crate) fn decode(r: f64, precision: Precision, max_digits: i32) -> Decimal {
    let negative = r.is_sign_negative() && r != 0.0;
    let nothing = Decimal {
        negative,
        digits: Vec::new(),
        point: 0,
    };
    let a = r.abs();
    if a == 0.0 {
        return nothing;
    }
    let bits = a.to_bits();
    let (m, e) = match (bits >> 52) as i32 {
        0 => {
            let zeros = bits.leading_zeros() as i32;
            (bits << zeros, -1074 - zeros)
        }
        biased => (bits << 11 | 1 << 63, biased - 1086),
    };
    let wanted = match precision {
        Precision::Significant(n) if n > 0 && n < DECODER_DIGITS => n + 1,
        _ => DECODER_DIGITS,
    };
    let (value, exp) = binary_to_decimal(m, e, wanted);
    // One spare slot in front for a carry out of the first digit.
    let mut z: Vec<u8> = std::iter::once(0)
        .chain(value.to_string().bytes().map(|b| b - b'0'))
        .collect();
    let n = z.len() as i32 - 1;
    let mut point = n + exp;
    let mut keep = match precision {
        Precision::Significant(k) if k > 0 => k,
        Precision::Significant(k) | Precision::Fraction(k) => point + k.max(0),
    };
    if keep < 0 || (keep == 0 && z[1] < 5) {
        // The value is below half a unit of the last place kept: nothing is left.
        return nothing;
    }
    if keep == 0 {
        // Rounding to no digit at all: a first digit of 5 or more becomes a 1 one place up.
        z[0] = 1;
        return Decimal {
            negative,
            digits: vec![1],
            point: point + 1,
        };
    }
    let mut count = n;
    if keep < n || n > max_digits {
        keep = keep.min(max_digits);
        if keep == 17 {
            keep = shorter_round_trip(a, &z[1..], exp, point).unwrap_or(keep);
        }
        count = keep;
        if z[keep as usize + 1] >= 5 {
            let mut j = keep as usize;
            loop {
                z[j] += 1;
                if z[j] <= 9 {
                    break;
                }
                z[j] = 0;
                j -= 1;
            }
            if z[0] == 1 {
                count += 1;
                point += 1;
            }
        }
    }
    let first = usize::from(z[0] == 0);
    let mut digits = z[first..first + count as usize].to_vec();
    while digits.last() == Some(&0) {
        digits.pop();
    }
    Decimal {
        negative,
        digits,
        point,
    }
}

/// The 17-digit special case: how many digits to keep instead of 17 when the digits suggest
/// the real was written with fewer and those read back exactly. `z` holds the decoder's digits
/// (`z · 10^exp`), `point` the decimal point's position among them.
fn shorter_round_trip(r: f64, z: &[u8], exp: i32, point: i32) -> Option<i32> {
    let n = z.len() as i32;
    let number = |len: usize| z[..len].iter().fold(0u64, |v, &d| v * 10 + u64::from(d));
    let (candidate, len) = if z[14] == 9 && z[15] == 9 {
        let len = (0..14).rev().find(|&i| z[i] != 9).map_or(0, |i| i + 1);
        (if len == 0 { 1 } else { number(len) + 1 }, len)
    } else if point >= n || z[13..16] == [0, 0, 0] {
        let len = (1..=13).rev().find(|&i| z[i - 1] != 0).unwrap_or(1);
        (number(len), len)
    } else {
        return None;
    };
    (decimal_to_f64(candidate, exp + n - len as i32) == r).then_some(len as i32 + 1)
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
    let d = decode(r, Precision::Significant(17), 20);
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
