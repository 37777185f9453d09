//! The date and time functions (lang_datefunc.html): `date`, `time`, `datetime`, `julianday`,
//! `unixepoch`, `strftime`, `timediff`, `current_date`, `current_time`, `current_timestamp`.
//!
//! A moment is held as SQLite holds it: a julian day number in milliseconds (`jd`), plus a
//! broken-down date (`y m d`) and time (`h min s`), each with a flag saying whether it is
//! current; conversions fill in whichever side is missing. The rules are SQLite 3.54's, rule for
//! rule, because its results depend on them in corners (day-of-month overflow kept until the
//! next conversion, fractions of a second capped at .999, the Meeus calendar arithmetic done
//! partly in floating point, numbers read as julian days or unix times by range):
//! - years -4713 … 9999; anything outside, or a julian day outside 0 … 5373484.4999999, is an
//!   error, and an error makes the function return NULL (never raise);
//! - `now` is the statement's time ([`FunctionContext::now_ms`]): the same for every call in
//!   one execution of a statement;
//! - `localtime`/`utc` use the C library's `localtime_r` (the machine's time zone), mapping
//!   years outside 1970 … 2037 into that range as SQLite does.
//!
//! Output formatting and `strftime`/`timediff` are in [`format`], local time in [`local`].

mod format;
mod local;

use super::func::{Arity, FunctionContext, ScalarFunction};
use crate::error::{Error, ErrorCode, Result};
use crate::record::{Value, ValueRef};

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;
/// The julian day (in ms) of 1970-01-01 00:00:00.
const UNIX_EPOCH_MS: i64 = 210_866_760_000_000;
/// The largest julian day in ms: 9999-12-31 23:59:59.999.
const MAX_JD_MS: i64 = 464_269_060_799_999;

/// One moment being computed; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
struct DateTime {
    jd: i64,
    y: i32,
    m: i32,
    d: i32,
    h: i32,
    min: i32,
    /// Time-zone offset in minutes, until folded into `jd`.
    tz: i32,
    s: f64,
    valid_jd: bool,
    valid_ymd: bool,
    valid_hms: bool,
    /// Days past the end of the month (`2023-02-31` has 3), for the `floor` modifier.
    n_floor: i32,
    /// `s` holds a number not yet known to be a julian day or a unix time.
    raw_s: bool,
    error: bool,
    subsec: bool,
    utc: bool,
    local: bool,
}

/// The byte at `i`, or 0 past the end (SQLite reads NUL-terminated text).
fn at(z: &[u8], i: usize) -> u8 {
    z.get(i).copied().unwrap_or(0)
}

fn is_space(b: u8) -> bool {
    super::convert::is_space(b)
}

fn skip_spaces(z: &[u8]) -> &[u8] {
    &z[z.iter().take_while(|&&b| is_space(b)).count()..]
}

/// One fixed-width number of a date: `width` digits in `min..=max`, then `sep` (0: last).
#[derive(Clone, Copy)]
struct Field {
    width: usize,
    min: i32,
    max: i32,
    sep: u8,
}

const fn field(width: usize, min: i32, max: i32, sep: u8) -> Field {
    Field {
        width,
        min,
        max,
        sep,
    }
}

/// Reads consecutive fields; `None` unless all of them are there.
fn digits<const N: usize>(z: &[u8], fields: [Field; N]) -> Option<[i32; N]> {
    let mut out = [0; N];
    let mut i = 0;
    for (k, f) in fields.iter().enumerate() {
        let mut v = 0;
        for _ in 0..f.width {
            let c = at(z, i);
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i32::from(c - b'0');
            i += 1;
        }
        if v < f.min || v > f.max || (f.sep != 0 && at(z, i) != f.sep) {
            return None;
        }
        out[k] = v;
        i += 1;
    }
    Some(out)
}

const YEAR4: Field = field(4, 0, 14712, b'-');
const HOUR_MIN: [Field; 2] = [field(2, 0, 24, b':'), field(2, 0, 59, 0)];

fn days_of_month(y: i32, m: i32) -> i32 {
    const LONG_MONTHS: i32 = 0x15aa;
    if (1i32.checked_shl(m as u32).unwrap_or(0)) & LONG_MONTHS != 0 {
        31
    } else if m != 2 {
        30
    } else if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) {
        29
    } else {
        28
    }
}

/// A julian day in ms within the supported years.
fn valid_julian_day(jd: i64) -> bool {
    (0..=MAX_JD_MS).contains(&jd)
}

/// A whole text that SQLite's number reader accepts (surrounding whitespace allowed).
fn text_number(z: &[u8]) -> Option<f64> {
    let scan = super::convert::scan_number(z);
    (scan.len > 0 && scan.whole).then_some(scan.real)
}

impl DateTime {
    fn set_error(&mut self) {
        *self = DateTime {
            error: true,
            ..DateTime::default()
        };
    }

    fn clear_ymd_hms_tz(&mut self) {
        self.valid_ymd = false;
        self.valid_hms = false;
        self.tz = 0;
    }

    fn compute_floor(&mut self) {
        let max = days_of_month(self.y, self.m);
        self.n_floor = if self.d > max { self.d - max } else { 0 };
    }

    /// The julian day from the broken-down date and time (Meeus, Gregorian calendar always);
    /// with no date, 2000-01-01.
    fn compute_jd(&mut self) {
        if self.valid_jd {
            return;
        }
        let (mut y, mut m, mut d) = if self.valid_ymd {
            (self.y, self.m, self.d)
        } else {
            (2000, 1, 1)
        };
        if !self.valid_ymd && self.valid_hms && self.h == 24 {
            self.h = 0;
            d = 2;
        }
        if !(-4713..=9999).contains(&y) || self.raw_s {
            self.set_error();
            return;
        }
        if m <= 2 {
            y -= 1;
            m += 12;
        }
        let a = (y + 4800) / 100;
        let b = 38 - a + a / 4;
        let x1 = 36525 * (y + 4716) / 100;
        let x2 = 306_001 * (m + 1) / 10_000;
        self.jd = ((f64::from(x1 + x2 + d + b) - 1524.5) * DAY_MS as f64) as i64;
        self.valid_jd = true;
        if self.valid_hms {
            self.jd += i64::from(self.h) * 3_600_000
                + i64::from(self.min) * 60_000
                + (self.s * 1000.0 + 0.5) as i64;
            if self.tz != 0 {
                self.jd -= i64::from(self.tz) * 60_000;
                self.valid_ymd = false;
                self.valid_hms = false;
                self.tz = 0;
                self.utc = true;
                self.local = false;
            }
        }
    }

    /// The date from the julian day (Meeus, with his floating-point steps).
    fn compute_ymd(&mut self) {
        if self.valid_ymd {
            return;
        }
        if !self.valid_jd {
            (self.y, self.m, self.d) = (2000, 1, 1);
        } else if !valid_julian_day(self.jd) {
            self.set_error();
            return;
        } else {
            let z = ((self.jd + DAY_MS / 2) / DAY_MS) as i32;
            let alpha = ((f64::from(z) + 32044.75) / 36524.25) as i32 - 52;
            let a = z + 1 + alpha - ((alpha + 100) / 4) + 25;
            let b = a + 1524;
            let c = ((f64::from(b) - 122.1) / 365.25) as i32;
            let d = (36525 * (c & 32767)) / 100;
            let e = (f64::from(b - d) / 30.6001) as i32;
            let x1 = (30.6001 * f64::from(e)) as i32;
            self.d = b - d - x1;
            self.m = if e < 14 { e - 1 } else { e - 13 };
            self.y = if self.m > 2 { c - 4716 } else { c - 4715 };
        }
        self.valid_ymd = true;
    }

    fn compute_hms(&mut self) {
        if self.valid_hms {
            return;
        }
        self.compute_jd();
        let day_ms = ((self.jd + DAY_MS / 2) % DAY_MS) as i32;
        self.s = f64::from(day_ms % 60_000) / 1000.0;
        let day_min = day_ms / 60_000;
        self.min = day_min % 60;
        self.h = day_min / 60;
        self.raw_s = false;
        self.valid_hms = true;
    }

    fn compute_ymd_hms(&mut self) {
        self.compute_ymd();
        self.compute_hms();
    }

    /// A number that may be a julian day or a unix time: a julian day if in range, and kept
    /// raw for `unixepoch`/`auto`/`julianday` to decide.
    fn set_raw_number(&mut self, r: f64) {
        self.s = r;
        self.raw_s = true;
        if (0.0..5_373_484.5).contains(&r) {
            self.jd = (r * DAY_MS as f64 + 0.5) as i64;
            self.valid_jd = true;
        }
    }

    /// The statement's time; an error where the call must be pure.
    fn set_now(&mut self, call: &mut Call<'_>) -> Result<bool> {
        call.impure_use()?;
        Ok(match call.ctx.now_ms() {
            Some(jd) if jd > 0 => {
                self.jd = jd;
                self.valid_jd = true;
                self.utc = true;
                self.local = false;
                self.clear_ymd_hms_tz();
                true
            }
            _ => false,
        })
    }

    /// `[+-]HH:MM` or `Z` at the end of a time, then only whitespace.
    fn parse_timezone(&mut self, z: &[u8]) -> bool {
        let z = skip_spaces(z);
        self.tz = 0;
        let sign = match at(z, 0) {
            b'-' => -1,
            b'+' => 1,
            b'Z' | b'z' => {
                self.local = false;
                self.utc = true;
                return skip_spaces(&z[1..]).is_empty();
            }
            c => return c == 0,
        };
        let Some([hours, minutes]) = digits(&z[1..], [field(2, 0, 14, b':'), field(2, 0, 59, 0)])
        else {
            return false;
        };
        self.tz = sign * (minutes + hours * 60);
        if self.tz == 0 {
            self.local = false;
            self.utc = true;
        }
        skip_spaces(z.get(6..).unwrap_or(&[])).is_empty()
    }

    /// `HH:MM`, `HH:MM:SS`, `HH:MM:SS.FFF…`, then an optional time zone.
    fn parse_hms(&mut self, z: &[u8]) -> bool {
        let Some([h, m]) = digits(z, HOUR_MIN) else {
            return false;
        };
        let mut rest = &z[5..];
        let (mut s, mut fraction) = (0, 0.0f64);
        if at(rest, 0) == b':' {
            let Some([sec]) = digits(&rest[1..], [field(2, 0, 59, 0)]) else {
                return false;
            };
            s = sec;
            rest = &rest[3..];
            if at(rest, 0) == b'.' && at(rest, 1).is_ascii_digit() {
                let mut scale = 1.0;
                let n = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                for &c in &rest[1..=n] {
                    fraction = fraction * 10.0 + f64::from(c - b'0');
                    scale *= 10.0;
                }
                // Capped, so that rounding to milliseconds never carries into the next second.
                fraction = (fraction / scale).min(0.999);
                rest = &rest[1 + n..];
            }
        }
        if h == 24 && (m != 0 || s != 0 || fraction != 0.0) {
            return false;
        }
        self.valid_jd = false;
        self.raw_s = false;
        self.valid_hms = true;
        self.h = h;
        self.min = m;
        self.s = f64::from(s) + fraction;
        self.parse_timezone(rest)
    }

    /// `[-]YYYY-MM-DD`, optionally followed (after spaces or `T`) by a time.
    fn parse_ymd(&mut self, z: &[u8]) -> bool {
        let negative = at(z, 0) == b'-';
        let z = &z[usize::from(negative)..];
        let Some([y, mut m, mut d]) = digits(z, [YEAR4, field(2, 1, 12, b'-'), field(2, 1, 31, 0)])
        else {
            return false;
        };
        let mut y = y;
        let rest = &z[10..];
        let rest = &rest[rest
            .iter()
            .take_while(|&&b| is_space(b) || b == b'T')
            .count()..];
        if self.parse_hms(rest) {
            if self.h == 24 {
                self.h = 0;
                d += 1;
                if d > days_of_month(y, m) {
                    d -= days_of_month(y, m);
                    m += 1;
                    if m > 12 {
                        m = 1;
                        y += 1;
                    }
                }
            }
        } else if rest.is_empty() {
            self.valid_hms = false;
        } else {
            return false;
        }
        self.valid_jd = false;
        self.valid_ymd = true;
        self.y = if negative { -y } else { y };
        self.m = m;
        self.d = d;
        self.compute_floor();
        if self.tz != 0 {
            self.compute_jd();
        }
        true
    }

    /// The first argument as text: a date, a time, `now`, a number, or `subsec`.
    fn parse_text(&mut self, call: &mut Call<'_>, z: &[u8]) -> Result<bool> {
        if self.parse_ymd(z) || self.parse_hms(z) {
            return Ok(true);
        }
        if z.eq_ignore_ascii_case(b"now") {
            return self.set_now(call);
        }
        if let Some(r) = text_number(z) {
            self.set_raw_number(r);
            return Ok(true);
        }
        if z.eq_ignore_ascii_case(b"subsec") || z.eq_ignore_ascii_case(b"subsecond") {
            self.subsec = true;
            return self.set_now(call);
        }
        Ok(false)
    }

    /// `auto`: a raw number is a julian day if in that range (already so), else a unix time.
    fn auto_adjust(&mut self) {
        if !self.raw_s || self.valid_jd {
            self.raw_s = false;
        } else if (-210_866_760_000.0..=253_402_300_799.0).contains(&self.s) {
            self.set_unix_time();
        }
    }

    fn set_unix_time(&mut self) {
        let r = self.s * 1000.0 + UNIX_EPOCH_MS as f64;
        self.clear_ymd_hms_tz();
        self.jd = (r + 0.5) as i64;
        self.valid_jd = true;
        self.raw_s = false;
    }
}

/// Whole-text comparison, ignoring ASCII case.
fn is(z: &[u8], word: &str) -> bool {
    z.eq_ignore_ascii_case(word.as_bytes())
}

/// `word` at the start of `z`, ignoring ASCII case; the rest.
fn after<'z>(z: &'z [u8], word: &str) -> Option<&'z [u8]> {
    (z.len() >= word.len() && z[..word.len()].eq_ignore_ascii_case(word.as_bytes()))
        .then(|| &z[word.len()..])
}

/// The units of `NNN units`: name, exclusive limit on NNN, seconds per unit. The limits are
/// single-precision constants in SQLite.
const UNITS: [(&str, f32, f64); 6] = [
    ("second", 4.6427e14, 1.0),
    ("minute", 7.7379e12, 60.0),
    ("hour", 1.2897e11, 3600.0),
    ("day", 5_373_485.0, 86_400.0),
    ("month", 176_546.0, 2_592_000.0),
    ("year", 14_713.0, 31_536_000.0),
];

impl DateTime {
    /// Applies modifier number `idx` (1-based); false if it is not one or does not apply.
    fn modify(&mut self, call: &mut Call<'_>, z: &[u8], idx: usize) -> Result<bool> {
        Ok(match at(z, 0).to_ascii_lowercase() {
            b'a' if is(z, "auto") => {
                if idx > 1 {
                    return Ok(false);
                }
                self.auto_adjust();
                true
            }
            b'c' if is(z, "ceiling") => {
                self.compute_jd();
                self.clear_ymd_hms_tz();
                self.n_floor = 0;
                true
            }
            b'e' => after(z, "end of ").is_some_and(|what| self.end_of(what)),
            b'f' if is(z, "floor") => {
                self.compute_jd();
                self.jd -= i64::from(self.n_floor) * DAY_MS;
                self.clear_ymd_hms_tz();
                true
            }
            b'j' if is(z, "julianday") => {
                if idx > 1 || !(self.valid_jd && self.raw_s) {
                    return Ok(false);
                }
                self.raw_s = false;
                true
            }
            b'l' if is(z, "localtime") => {
                call.impure_use()?;
                if !self.local {
                    local::to_localtime(self)?;
                }
                self.utc = false;
                self.local = true;
                true
            }
            b'u' if is(z, "unixepoch") && self.raw_s => {
                if idx > 1 {
                    return Ok(false);
                }
                let r = self.s * 1000.0 + UNIX_EPOCH_MS as f64;
                if !(0.0..(MAX_JD_MS + 1) as f64).contains(&r) {
                    return Ok(false);
                }
                self.set_unix_time();
                true
            }
            b'u' if is(z, "utc") => {
                call.impure_use()?;
                if !self.utc {
                    local::to_utc(self)?;
                }
                true
            }
            b'w' => after(z, "weekday ").is_some_and(|n| self.weekday(n)),
            b's' => match after(z, "start of ") {
                Some(what) => self.start_of(what),
                None if is(z, "subsec") || is(z, "subsecond") => {
                    self.subsec = true;
                    true
                }
                None => false,
            },
            b'+' | b'-' | b'0'..=b'9' => self.shift(z),
            _ => false,
        })
    }

    /// Whether there is any moment to move (not after an error or an out-of-range number).
    fn has_value(&self) -> bool {
        self.valid_jd || self.valid_ymd || self.valid_hms
    }

    fn start_of(&mut self, what: &[u8]) -> bool {
        if !self.has_value() {
            return false;
        }
        self.compute_ymd();
        self.valid_hms = true;
        (self.h, self.min, self.s) = (0, 0, 0.0);
        self.raw_s = false;
        self.tz = 0;
        self.valid_jd = false;
        if is(what, "month") {
            self.d = 1;
        } else if is(what, "year") {
            (self.m, self.d) = (1, 1);
        } else {
            return is(what, "day");
        }
        true
    }

    fn end_of(&mut self, what: &[u8]) -> bool {
        if !self.has_value() {
            return false;
        }
        self.compute_ymd();
        self.valid_hms = true;
        (self.h, self.min, self.s) = (23, 59, 59.999);
        self.raw_s = false;
        self.tz = 0;
        self.valid_jd = false;
        if is(what, "month") {
            // The first of the next month, less one day (and less any overflow days).
            self.d = 1;
            self.m += 1;
            if self.m > 12 {
                self.y += 1;
                self.m = 1;
            }
            self.compute_floor();
            self.compute_jd();
            self.jd -= i64::from(self.n_floor + 1) * DAY_MS;
            self.clear_ymd_hms_tz();
        } else if is(what, "year") {
            (self.m, self.d) = (12, 31);
        } else {
            return is(what, "day");
        }
        true
    }

    /// `weekday N` (N in 0…6, Sunday 0): forward to that weekday; `weekday -N`: backward.
    fn weekday(&mut self, n_text: &[u8]) -> bool {
        let Some(r) = text_number(n_text) else {
            return false;
        };
        if !(-6.0..=6.0).contains(&r) || r != (r as i64) as f64 {
            return false;
        }
        let n = (r as i64).abs();
        self.compute_ymd_hms();
        self.tz = 0;
        self.valid_jd = false;
        self.compute_jd();
        let mut z = ((self.jd + 129_600_000) / DAY_MS) % 7;
        if z != n {
            if z > n {
                z -= 7;
            }
            self.jd += (n - z) * DAY_MS;
            if n_text.contains(&b'-') {
                self.jd -= 7 * DAY_MS;
            }
        }
        self.clear_ymd_hms_tz();
        true
    }

    /// Adds years/months/days to the broken-down date, normalising the month.
    fn add_months(&mut self, years: i32, months: i32) {
        self.y += years;
        self.m += months;
        let x = if self.m > 0 {
            (self.m - 1) / 12
        } else {
            (self.m - 12) / 12
        };
        self.y += x;
        self.m -= x * 12;
        self.compute_floor();
    }

    /// `NNN units`, `±HH:MM[:SS[.FFF]]`, `±YYYY-MM-DD[ HH:MM[:SS[.FFF]]]`.
    fn shift(&mut self, z: &[u8]) -> bool {
        let sign = at(z, 0);
        let mut n = 1;
        while n < z.len() {
            let c = z[n];
            if c == b':' || is_space(c) {
                break;
            }
            if c == b'-'
                && ((n == 5 && digits(&z[1..], [field(4, 0, 14712, 0)]).is_some())
                    || (n == 6 && digits(&z[1..], [field(5, 0, 14712, 0)]).is_some()))
            {
                break;
            }
            n += 1;
        }
        let Some(r) = text_number(&z[..n]) else {
            return false;
        };
        if at(z, n) == b'-' {
            return self.shift_date(z, n, sign);
        }
        if at(z, n) == b':' {
            return self.shift_time(z, sign);
        }
        self.shift_units(r, skip_spaces(&z[n..]))
    }

    fn shift_date(&mut self, z: &[u8], n: usize, sign: u8) -> bool {
        if sign != b'+' && sign != b'-' {
            return false;
        }
        let year = field(n - 1, 0, 14712, b'-');
        let Some([y, m, d]) = digits(&z[1..], [year, field(2, 0, 12, b'-'), field(2, 0, 31, 0)])
        else {
            return false;
        };
        if m >= 12 || d >= 31 {
            return false;
        }
        self.compute_ymd_hms();
        self.valid_jd = false;
        let (y, m, d) = if sign == b'-' {
            (-y, -m, -d)
        } else {
            (y, m, d)
        };
        self.add_months(y, m);
        self.compute_jd();
        self.valid_hms = false;
        self.valid_ymd = false;
        self.jd += i64::from(d) * DAY_MS;
        let rest = &z[n + 6..];
        if rest.is_empty() {
            return true;
        }
        if is_space(rest[0]) && digits(&rest[1..], HOUR_MIN).is_some() {
            return self.shift_time(&rest[1..], sign);
        }
        false
    }

    /// Adds (or, `sign` '-', subtracts) a time of day, `[±]HH:MM[:SS[.FFF]]`.
    fn shift_time(&mut self, z: &[u8], sign: u8) -> bool {
        let z = if at(z, 0).is_ascii_digit() {
            z
        } else {
            &z[1..]
        };
        let mut tx = DateTime::default();
        if !tx.parse_hms(z) {
            return false;
        }
        tx.compute_jd();
        tx.jd -= DAY_MS / 2;
        let day = tx.jd / DAY_MS;
        tx.jd -= day * DAY_MS;
        if sign == b'-' {
            tx.jd = -tx.jd;
        }
        self.compute_jd();
        self.clear_ymd_hms_tz();
        self.jd += tx.jd;
        true
    }

    fn shift_units(&mut self, mut r: f64, unit: &[u8]) -> bool {
        let mut n = unit.len();
        if !(3..=10).contains(&n) {
            return false;
        }
        if unit[n - 1].eq_ignore_ascii_case(&b's') {
            n -= 1;
        }
        self.compute_jd();
        let rounder = if r < 0.0 { -0.5 } else { 0.5 };
        self.n_floor = 0;
        let found = UNITS.iter().position(|&(name, limit, _)| {
            name.len() == n
                && unit[..n].eq_ignore_ascii_case(name.as_bytes())
                && r > -f64::from(limit)
                && r < f64::from(limit)
        });
        if let Some(i) = found {
            if i >= 4 {
                // Months and years move the calendar date; a fraction is left as seconds.
                self.compute_ymd_hms();
                let whole = r as i32;
                if i == 4 {
                    self.add_months(0, whole);
                } else {
                    self.y += whole;
                    self.compute_floor();
                }
                self.valid_jd = false;
                r -= f64::from(whole);
            }
            self.compute_jd();
            // Saturating: a chain of huge shifts ends out of range (NULL), never wraps.
            self.jd = self
                .jd
                .saturating_add((r * 1000.0 * UNITS[i].2 + rounder) as i64);
        }
        self.clear_ymd_hms_tz();
        found.is_some()
    }
}

/// One call of a date and time function: its context and its name (for error messages).
struct Call<'c> {
    ctx: &'c mut dyn FunctionContext,
    name: &'static str,
}

impl Call<'_> {
    /// SQLite's error for reading the clock or the time zone where the call must be pure. The
    /// `current_*` functions are not deterministic to begin with: SQLite lets them into CHECK
    /// constraints (and refuses them in indexes when the statement is prepared).
    fn impure_use(&self) -> Result<()> {
        if self.name.starts_with("current_") {
            return Ok(());
        }
        match self.ctx.pure_use() {
            Some(place) => Err(Error::new(
                ErrorCode::Error,
                format!(
                    "non-deterministic use of {}() in {}",
                    self.name,
                    place.describe()
                ),
            )),
            None => Ok(()),
        }
    }
}

/// The arguments as a moment (`TIMESTRING, MODIFIER…`); `None` (the function returns NULL)
/// when the input or a modifier is invalid or the result is out of range.
fn moment(call: &mut Call<'_>, args: &[ValueRef<'_>]) -> Result<Option<DateTime>> {
    let mut p = DateTime::default();
    let Some((first, modifiers)) = args.split_first() else {
        return Ok(p.set_now(call)?.then_some(p));
    };
    match *first {
        ValueRef::Integer(i) => p.set_raw_number(i as f64),
        ValueRef::Real(r) => p.set_raw_number(r),
        ValueRef::Null => return Ok(None),
        ValueRef::Text(z) | ValueRef::Blob(z) => {
            if !p.parse_text(call, until_nul(z))? {
                return Ok(None);
            }
        }
    }
    for (i, m) in modifiers.iter().enumerate() {
        let Some(text) = super::convert::to_text(*m) else {
            return Ok(None);
        };
        if !p.modify(call, until_nul(&text), i + 1)? {
            return Ok(None);
        }
    }
    p.compute_jd();
    if p.error || !valid_julian_day(p.jd) {
        return Ok(None);
    }
    if modifiers.is_empty() && p.valid_ymd && p.d > 28 {
        // A lone `2023-02-31` is normalised through the julian day (to 2023-03-03).
        p.valid_ymd = false;
    }
    Ok(Some(p))
}

/// Text as C code sees it: up to the first NUL.
fn until_nul(z: &[u8]) -> &[u8] {
    &z[..z.iter().position(|&b| b == 0).unwrap_or(z.len())]
}

/// The date and time functions, for the registry.
pub(crate) static DATETIME_FUNCTIONS: &[ScalarFunction] = &[
    date_fn("date", Arity::at_least(0), format::date),
    date_fn("time", Arity::at_least(0), format::time),
    date_fn("datetime", Arity::at_least(0), format::datetime),
    date_fn("julianday", Arity::at_least(0), format::julianday),
    date_fn("unixepoch", Arity::at_least(0), format::unixepoch),
    date_fn("strftime", Arity::at_least(0), format::strftime),
    date_fn("timediff", Arity::exactly(2), format::timediff),
    date_fn("current_date", Arity::exactly(0), format::current_date).volatile(),
    date_fn("current_time", Arity::exactly(0), format::current_time).volatile(),
    date_fn(
        "current_timestamp",
        Arity::exactly(0),
        format::current_timestamp,
    )
    .volatile(),
];

const fn date_fn(
    name: &'static str,
    arity: Arity,
    call: fn(&mut dyn FunctionContext, &[ValueRef<'_>]) -> Result<Value>,
) -> ScalarFunction {
    ScalarFunction {
        name,
        arity,
        // Deterministic within a statement: `now` is the statement's time.
        deterministic: true,
        call,
    }
}
