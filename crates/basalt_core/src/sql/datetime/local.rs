//! The `localtime` and `utc` modifiers: the C library's `localtime_r` gives the machine's time
//! zone rules. Like SQLite, a moment outside 1970-01-01 … 2038-01-18 is first moved into that
//! range by whole years (keeping the year's position in the leap cycle), converted, and moved
//! back; `utc` inverts `localtime` by up to four corrections of a guess.

use super::{DateTime, UNIX_EPOCH_MS};
use crate::error::{Error, ErrorCode, Result};

/// Broken-down local time of a unix time, or `None` if the C library cannot give one.
fn os_localtime(t: i64) -> Option<libc::tm> {
    let t = libc::time_t::try_from(t).ok()?;
    // SAFETY: `tm` is plain data, valid when zeroed; `localtime_r` reads `t` and writes only
    // into `out`, both live for the call, and is thread-safe (unlike `localtime`).
    unsafe {
        let mut out: libc::tm = std::mem::zeroed();
        (!libc::localtime_r(&t, &mut out).is_null()).then_some(out)
    }
}

fn unavailable() -> Error {
    Error::new(ErrorCode::Error, "local time unavailable")
}

/// Takes a UTC moment to the same moment as local wall-clock time.
pub(super) fn to_localtime(p: &mut DateTime) -> Result<()> {
    p.compute_jd();
    let (t, year_shift) = if p.jd < 210_866_760_000_000 || p.jd > 213_014_145_600_000 {
        let mut x = *p;
        x.compute_ymd_hms();
        let shift = (2000 + x.y % 4) - x.y;
        x.y += shift;
        x.valid_jd = false;
        x.compute_jd();
        (x.jd / 1000 - UNIX_EPOCH_MS / 1000, shift)
    } else {
        (p.jd / 1000 - UNIX_EPOCH_MS / 1000, 0)
    };
    let local = os_localtime(t).ok_or_else(unavailable)?;
    p.y = local.tm_year + 1900 - year_shift;
    p.m = local.tm_mon + 1;
    p.d = local.tm_mday;
    p.h = local.tm_hour;
    p.min = local.tm_min;
    p.s = f64::from(local.tm_sec) + (p.jd % 1000) as f64 * 0.001;
    p.valid_ymd = true;
    p.valid_hms = true;
    p.valid_jd = false;
    p.raw_s = false;
    p.tz = 0;
    p.error = false;
    Ok(())
}

/// Takes a local wall-clock moment to UTC: guesses, converts the guess to local time, and
/// corrects by the error, at most four times.
pub(super) fn to_utc(p: &mut DateTime) -> Result<()> {
    p.compute_jd();
    let original = p.jd;
    let mut guess = original;
    let mut err = 0;
    for _ in 0..4 {
        guess -= err;
        let mut probe = DateTime {
            jd: guess,
            valid_jd: true,
            ..DateTime::default()
        };
        to_localtime(&mut probe)?;
        probe.compute_jd();
        err = probe.jd - original;
        if err == 0 {
            break;
        }
    }
    *p = DateTime {
        jd: guess,
        valid_jd: true,
        utc: true,
        ..DateTime::default()
    };
    Ok(())
}
