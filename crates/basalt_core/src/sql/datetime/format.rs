//! The date and time functions' results: `date`, `time`, `datetime`, `julianday`,
//! `unixepoch`, `strftime` (every conversion SQLite 3.54 knows; any other makes the result
//! NULL) and `timediff`. Each takes a moment computed by [`super::moment`]; a NULL moment is a
//! NULL result.

use super::{moment, Call, DateTime, DAY_MS, UNIX_EPOCH_MS};
use crate::error::Result;
use crate::record::{Value, ValueRef};
use crate::sql::func::FunctionContext;

type Args<'a, 'v> = &'a [ValueRef<'v>];

fn text(s: String) -> Value {
    Value::Text(s.into_bytes())
}

/// `[-]YYYY-MM-DD`: four digits of the year's magnitude, a minus for years before 1 BC.
fn push_date(out: &mut String, p: &DateTime) {
    if p.y < 0 {
        out.push('-');
    }
    let y = p.y.unsigned_abs() % 10_000;
    out.push_str(&format!("{y:04}-{:02}-{:02}", p.m % 100, p.d % 100));
}

/// `HH:MM:SS`, or `HH:MM:SS.SSS` with `subsec`.
fn push_time(out: &mut String, p: &DateTime) {
    out.push_str(&format!("{:02}:{:02}:", p.h % 100, p.min % 100));
    if p.subsec {
        let ms = (1000.0 * p.s + 0.5) as i32;
        out.push_str(&format!("{:02}.{:03}", (ms / 1000) % 100, ms % 1000));
    } else {
        out.push_str(&format!("{:02}", (p.s as i32) % 100));
    }
}

/// A registry entry calling `$body` with the call named `$name` (as SQLite names it in errors).
macro_rules! entry {
    ($fn_name:ident, $name:literal, $body:ident) => {
        pub(super) fn $fn_name(ctx: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
            $body(&mut Call { ctx, name: $name }, a)
        }
    };
}

entry!(date, "date", date_of);
entry!(current_date, "current_date", date_of);
entry!(time, "time", time_of);
entry!(current_time, "current_time", time_of);
entry!(datetime, "datetime", datetime_of);
entry!(current_timestamp, "current_timestamp", datetime_of);
entry!(julianday, "julianday", julianday_of);
entry!(unixepoch, "unixepoch", unixepoch_of);
entry!(strftime, "strftime", strftime_of);
entry!(timediff, "timediff", timediff_of);

fn date_of(call: &mut Call<'_>, a: Args<'_, '_>) -> Result<Value> {
    Ok(moment(call, a)?.map_or(Value::Null, |mut p| {
        p.compute_ymd();
        let mut out = String::new();
        push_date(&mut out, &p);
        text(out)
    }))
}

fn time_of(call: &mut Call<'_>, a: Args<'_, '_>) -> Result<Value> {
    Ok(moment(call, a)?.map_or(Value::Null, |mut p| {
        p.compute_hms();
        let mut out = String::new();
        push_time(&mut out, &p);
        text(out)
    }))
}

fn datetime_of(call: &mut Call<'_>, a: Args<'_, '_>) -> Result<Value> {
    Ok(moment(call, a)?.map_or(Value::Null, |mut p| {
        p.compute_ymd_hms();
        let mut out = String::new();
        push_date(&mut out, &p);
        out.push(' ');
        push_time(&mut out, &p);
        text(out)
    }))
}

fn julianday_of(call: &mut Call<'_>, a: Args<'_, '_>) -> Result<Value> {
    Ok(moment(call, a)?.map_or(Value::Null, |p| Value::Real(p.jd as f64 / DAY_MS as f64)))
}

/// Seconds since 1970: an integer, or a real with `subsec`.
fn unix_seconds(p: &DateTime) -> Value {
    if p.subsec {
        Value::Real((p.jd - UNIX_EPOCH_MS) as f64 / 1000.0)
    } else {
        Value::Integer(p.jd / 1000 - UNIX_EPOCH_MS / 1000)
    }
}

fn unixepoch_of(call: &mut Call<'_>, a: Args<'_, '_>) -> Result<Value> {
    Ok(moment(call, a)?.map_or(Value::Null, |p| unix_seconds(&p)))
}

/// Days since the most recent January 1 (0 on January 1).
fn days_after_jan01(p: &DateTime) -> i64 {
    let mut jan01 = *p;
    jan01.valid_jd = false;
    (jan01.m, jan01.d) = (1, 1);
    jan01.compute_jd();
    (p.jd - jan01.jd + DAY_MS / 2) / DAY_MS
}

/// 0 = Monday … 6 = Sunday.
fn days_after_monday(p: &DateTime) -> i64 {
    ((p.jd + DAY_MS / 2) / DAY_MS) % 7
}

/// 0 = Sunday … 6 = Saturday.
fn days_after_sunday(p: &DateTime) -> i64 {
    ((p.jd + 129_600_000) / DAY_MS) % 7
}

/// The Thursday of `p`'s ISO week, with its date computed.
fn iso_thursday(p: &DateTime) -> DateTime {
    let mut y = *p;
    y.jd += (3 - days_after_monday(p)) * DAY_MS;
    y.valid_ymd = false;
    y.compute_ymd();
    y
}

/// A real through SQLite's printf, for the conversions whose digits must be SQLite's.
fn printf_real(spec: &str, r: f64) -> String {
    match crate::sql::printf::format(ValueRef::Text(spec.as_bytes()), &[ValueRef::Real(r)]) {
        Ok(Value::Text(t)) => String::from_utf8_lossy(&t).into_owned(),
        _ => String::new(),
    }
}

/// One `%` conversion; `None` for a letter SQLite does not know.
fn conversion(c: u8, p: &DateTime) -> Option<String> {
    let hour12 = match p.h {
        0 => 12,
        h if h > 12 => h - 12,
        h => h,
    };
    Some(match c {
        b'd' => format!("{:02}", p.d),
        b'e' => format!("{:2}", p.d),
        b'f' => printf_real("%06.3f", p.s.min(59.999)),
        b'F' => format!("{:04}-{:02}-{:02}", p.y, p.m, p.d),
        b'G' => format!("{:04}", iso_thursday(p).y),
        b'g' => format!("{:02}", iso_thursday(p).y % 100),
        b'H' => format!("{:02}", p.h),
        b'k' => format!("{:2}", p.h),
        b'I' => format!("{hour12:02}"),
        b'l' => format!("{hour12:2}"),
        b'j' => format!("{:03}", days_after_jan01(p) + 1),
        b'J' => printf_real("%.16g", p.jd as f64 / DAY_MS as f64),
        b'm' => format!("{:02}", p.m),
        b'M' => format!("{:02}", p.min),
        b'p' => (if p.h >= 12 { "PM" } else { "AM" }).to_owned(),
        b'P' => (if p.h >= 12 { "pm" } else { "am" }).to_owned(),
        b'R' => format!("{:02}:{:02}", p.h, p.min),
        b's' if p.subsec => printf_real("%.3f", (p.jd - UNIX_EPOCH_MS) as f64 / 1000.0),
        b's' => (p.jd / 1000 - UNIX_EPOCH_MS / 1000).to_string(),
        b'S' => format!("{:02}", p.s as i32),
        b'T' => format!("{:02}:{:02}:{:02}", p.h, p.min, p.s as i32),
        b'u' => match days_after_sunday(p) {
            0 => "7".to_owned(),
            d => d.to_string(),
        },
        b'w' => days_after_sunday(p).to_string(),
        b'U' => format!(
            "{:02}",
            (days_after_jan01(p) - days_after_sunday(p) + 7) / 7
        ),
        b'V' => format!("{:02}", days_after_jan01(&iso_thursday(p)) / 7 + 1),
        b'W' => format!(
            "{:02}",
            (days_after_jan01(p) - days_after_monday(p) + 7) / 7
        ),
        b'Y' => format!("{:04}", p.y),
        b'%' => "%".to_owned(),
        _ => return None,
    })
}

fn strftime_of(call: &mut Call<'_>, a: Args<'_, '_>) -> Result<Value> {
    let Some((fmt, rest)) = a.split_first() else {
        return Ok(Value::Null);
    };
    let Some(fmt) = crate::sql::convert::to_text(*fmt) else {
        return Ok(Value::Null);
    };
    let fmt = super::until_nul(&fmt);
    let Some(mut p) = moment(call, rest)? else {
        return Ok(Value::Null);
    };
    p.compute_jd();
    p.compute_ymd_hms();
    let mut out = Vec::with_capacity(fmt.len());
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            out.push(fmt[i]);
            i += 1;
            continue;
        }
        match fmt.get(i + 1).and_then(|&c| conversion(c, &p)) {
            Some(s) => out.extend_from_slice(s.as_bytes()),
            None => return Ok(Value::Null),
        }
        i += 2;
    }
    Ok(Value::Text(out))
}

/// `timediff(A, B)`: `±YYYY-MM-DD HH:MM:SS.SSS`, the years, months, days and time to add to
/// B to reach A (counting whole months on B's calendar first).
fn timediff_of(call: &mut Call<'_>, a: Args<'_, '_>) -> Result<Value> {
    let (Some(mut d1), Some(mut d2)) = (moment(call, &a[..1])?, moment(call, &a[1..2])?) else {
        return Ok(Value::Null);
    };
    d1.compute_ymd_hms();
    d2.compute_ymd_hms();
    let later = d1.jd >= d2.jd;
    let (mut years, mut months) = if later {
        (d1.y - d2.y, d1.m - d2.m)
    } else {
        (d2.y - d1.y, d2.m - d1.m)
    };
    let recompute = |d: &mut DateTime| {
        d.valid_jd = false;
        d.compute_jd();
    };
    if years != 0 {
        d2.y = d1.y;
        recompute(&mut d2);
    }
    if months < 0 {
        years -= 1;
        months += 12;
    }
    if months != 0 {
        d2.m = d1.m;
        recompute(&mut d2);
    }
    // Step B back (or forward) a month at a time until it is not past A.
    while (later && d1.jd < d2.jd) || (!later && d1.jd > d2.jd) {
        months -= 1;
        if months < 0 {
            months = 11;
            years -= 1;
        }
        if later {
            d2.m -= 1;
            if d2.m < 1 {
                d2.m = 12;
                d2.y -= 1;
            }
        } else {
            d2.m += 1;
            if d2.m > 12 {
                d2.m = 1;
                d2.y += 1;
            }
        }
        recompute(&mut d2);
    }
    d1.jd = if later { d1.jd - d2.jd } else { d2.jd - d1.jd };
    // Read the difference as a date counted from 0000-01-01.
    d1.jd += 148_699_540_800_000;
    d1.clear_ymd_hms_tz();
    d1.compute_ymd_hms();
    let sign = if later { '+' } else { '-' };
    Ok(text(format!(
        "{sign}{years:04}-{months:02}-{:02} {:02}:{:02}:{}",
        d1.d - 1,
        d1.h,
        d1.min,
        printf_real("%06.3f", d1.s)
    )))
}
