//! Real ↔ text conversions against SQLite, value by value, on random reals: bit patterns,
//! neighbours of powers of ten, subnormals, integers stored as reals, short decimals, and
//! random digit strings read as reals. Each run uses fixed seeds plus one new seed, printed so a
//! failure can be replayed with `BASALT_REAL_SEED`; `BASALT_REAL_CASES` scales the run.

mod oracle;

use basalt_core::record::Value;
use oracle::{memory_pair, ours_bound, theirs_bound};

/// xorshift64*: small, deterministic, good enough to spread bits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One random real from one of the families SQLite's conversions treat specially.
fn real(rng: &mut Rng) -> f64 {
    let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
    let r = match rng.below(7) {
        0 | 1 => f64::from_bits(rng.next()),
        // A few units in the last place around a power of ten.
        2 => {
            let p = 10f64.powi(rng.below(640) as i32 - 320);
            let delta = rng.below(9) as i64 - 4;
            f64::from_bits(p.to_bits().wrapping_add_signed(delta))
        }
        3 => f64::from_bits(rng.below(1 << 52)),
        // Integers as reals, especially around 1e15 … 1e17 and 2^53.
        4 => {
            let magnitude = 10u64.pow(rng.below(19) as u32);
            (magnitude + rng.below(magnitude.max(2)) / (1 + rng.below(1000))) as f64
        }
        5 => rng.below(100_000_000) as f64 / 10f64.powi(rng.below(20) as i32),
        _ => [
            0.0,
            -0.0,
            1e15,
            1e16,
            1e17,
            9.007_199_254_740_993e15,
            f64::MAX,
            f64::MIN_POSITIVE,
        ][rng.below(8) as usize],
    };
    if r.is_nan() {
        0.5
    } else {
        r * sign
    }
}

/// A decimal literal with up to 25 significant digits and an exponent.
fn digits(rng: &mut Rng) -> String {
    let len = 1 + rng.below(25) as usize;
    let mut s: String = (0..len)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect();
    if rng.below(2) == 0 {
        s.insert(rng.below(len as u64 + 1) as usize, '.');
    }
    if rng.below(2) == 0 {
        s.push_str(&format!("e{}", rng.below(700) as i64 - 350));
    }
    s
}

const PER_REAL: &str = "SELECT CAST(?1 AS TEXT), ?1 || '', quote(?1), printf('%!.17g', ?1), \
     printf('%.15g', ?1), printf('%!.20e', ?1), printf('%!.25f', ?1), round(?1, 4), \
     CAST(CAST(?1 AS TEXT) AS REAL) = ?1";
const PER_TEXT: &str = "SELECT CAST(?1 AS REAL), ?1 + 0, CAST(CAST(?1 AS REAL) AS TEXT)";

fn run(seed: u64, cases: usize) {
    let (a, b) = memory_pair();
    let mut rng = Rng(seed | 1);
    let mut stored = Vec::new();
    for _ in 0..cases {
        let r = real(&mut rng);
        let p = [Value::Real(r)];
        let (x, y) = (ours_bound(&a, PER_REAL, &p), theirs_bound(&b, PER_REAL, &p));
        assert_eq!(x, y, "seed {seed}: real {r:e} (bits {:#x})", r.to_bits());
        let t = [Value::Text(digits(&mut rng).into_bytes())];
        let (x, y) = (ours_bound(&a, PER_TEXT, &t), theirs_bound(&b, PER_TEXT, &t));
        assert_eq!(x, y, "seed {seed}: text {:?}", t[0]);
        stored.push(r);
    }
    // The same reals stored in a REAL column and read back as text.
    for sql in ["CREATE TABLE t(r REAL)", "BEGIN"] {
        assert_eq!(ours_bound(&a, sql, &[]), theirs_bound(&b, sql, &[]));
    }
    for &r in &stored {
        let p = [Value::Real(r)];
        let sql = "INSERT INTO t VALUES (?1)";
        assert_eq!(ours_bound(&a, sql, &p), theirs_bound(&b, sql, &p));
    }
    let sql = "SELECT r, CAST(r AS TEXT), r || 'x' FROM t ORDER BY rowid";
    let (x, y) = (ours_bound(&a, sql, &[]), theirs_bound(&b, sql, &[]));
    assert!(x == y, "seed {seed}: stored reals read back differently");
}

#[test]
fn reals_render_and_parse_as_sqlite() {
    let cases: usize = std::env::var("BASALT_REAL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let fresh = std::env::var("BASALT_REAL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(7, |d| d.as_nanos() as u64)
        });
    eprintln!("real_text_vs_sqlite: seed {fresh} (BASALT_REAL_SEED={fresh} replays it)");
    for seed in [1, 0x5eed_0002, 0xdead_beef, fresh] {
        run(seed, cases);
    }
}
