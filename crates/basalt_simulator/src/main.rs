//! `basalt-simulator`: deterministic simulation testing of Basalt.
//!
//! ```text
//! basalt-simulator [--seed N | --seeds A..B] [--steps N] [--keep i,j,k] [--shrink] [--twice]
//!                  [--no-sqlite] [--verbose] [--expect-failure]
//! ```
//! Each seed builds a random schema and a random interleaved workload of several connections,
//! runs it on the simulation I/O backend (seeded completion order, faults, crashes) and checks
//! durability, consistency, correctness and fault reporting after every step (`runner.rs`).
//! Without a seed one is drawn at random; it is always printed. A failure prints the command
//! that reproduces it; `--shrink` then cuts the workload down by delta debugging and prints the
//! command for the short one (`--keep` lists the step indices kept). `--twice` runs each seed
//! twice and fails unless both traces hash the same (the determinism check).
//!
//! `--expect-failure` turns the verdict around, for the canaries (engine builds with a planted
//! durability bug, the `canary-*` features): the run succeeds at the first violation found and
//! fails if every seed passes, i.e. if the simulator missed the bug.

mod check;
mod runner;
mod workload;

use runner::{run, Failure, RunOptions};
use std::process::ExitCode;

struct Args {
    seeds: std::ops::Range<u64>,
    options: RunOptions,
    shrink: bool,
    /// Run each seed twice and require the same trace hash (the determinism check).
    twice: bool,
    /// Succeed at the first violation, fail if there is none (the canary check).
    expect_failure: bool,
}

fn usage(problem: &str) -> String {
    format!(
        "{problem}\nusage: basalt-simulator [--seed N | --seeds A..B] [--steps N] \
         [--keep i,j,k] [--shrink] [--twice] [--no-sqlite] [--verbose] [--expect-failure]"
    )
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut seeds = None;
    let mut options = RunOptions {
        seed: 0,
        steps: 300,
        keep: None,
        sqlite: true,
        verbose: false,
    };
    let mut shrink = false;
    let mut twice = false;
    let mut expect_failure = false;
    let number = |v: Option<String>, what: &str| -> Result<u64, String> {
        v.as_deref()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| usage(&format!("{what} needs a number")))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                let seed = number(args.next(), "--seed")?;
                seeds = Some(seed..seed + 1);
            }
            "--seeds" => {
                let text = args.next().unwrap_or_default();
                let (a, b) = text
                    .split_once("..")
                    .ok_or_else(|| usage("--seeds takes A..B"))?;
                seeds =
                    Some(number(Some(a.into()), "--seeds")?..number(Some(b.into()), "--seeds")?);
            }
            "--steps" => options.steps = number(args.next(), "--steps")? as usize,
            "--keep" => {
                let text = args.next().unwrap_or_default();
                let kept: Result<Vec<usize>, _> = text
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::parse)
                    .collect();
                options.keep = Some(kept.map_err(|_| usage("--keep takes i,j,k"))?);
            }
            "--shrink" => shrink = true,
            "--twice" => twice = true,
            "--expect-failure" => expect_failure = true,
            "--no-sqlite" => options.sqlite = false,
            "--verbose" => options.verbose = true,
            other => return Err(usage(&format!("unknown argument {other}"))),
        }
    }
    let seeds = seeds.unwrap_or_else(|| {
        // The one nondeterministic choice, made before anything runs and always printed.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64 % 1_000_000_000);
        seed..seed + 1
    });
    Ok(Args {
        seeds,
        options,
        shrink,
        twice,
        expect_failure,
    })
}

/// The canary features this build was made with (see Cargo.toml); part of a reproduction.
const CANARIES: [(&str, bool); 2] = [
    (
        "canary-skip-commit-sync",
        cfg!(feature = "canary-skip-commit-sync"),
    ),
    (
        "canary-skip-frame-checksum",
        cfg!(feature = "canary-skip-frame-checksum"),
    ),
];

fn command(options: &RunOptions) -> String {
    let features: Vec<&str> = CANARIES
        .iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect();
    let features = if features.is_empty() {
        String::new()
    } else {
        format!(" --features {}", features.join(","))
    };
    let mut cmd = format!(
        "cargo run --release -p basalt-simulator{features} -- --seed {} --steps {}",
        options.seed, options.steps
    );
    if let Some(keep) = &options.keep {
        let list: Vec<String> = keep.iter().map(usize::to_string).collect();
        cmd.push_str(&format!(" --keep {}", list.join(",")));
    }
    if !options.sqlite {
        cmd.push_str(" --no-sqlite");
    }
    cmd
}

/// A failure's message without its SQL text and numbers: shrinking keeps the same kind of
/// failure rather than wandering off to another one.
fn failure_kind(message: &str) -> String {
    let mut kind = String::new();
    let mut in_sql = false;
    for ch in message.chars() {
        if ch == '`' {
            in_sql = !in_sql;
        } else if !in_sql && !ch.is_ascii_digit() {
            kind.push(ch);
        }
    }
    kind
}

/// Delta debugging (ddmin) over the step indices: the smallest subset found that still fails.
fn shrink(options: &RunOptions, failure: &Failure) -> RunOptions {
    let mut kept: Vec<usize> = match &options.keep {
        Some(k) => k.clone(),
        None => (0..=failure.step.min(options.steps.saturating_sub(1))).collect(),
    };
    let kind = failure_kind(&failure.message);
    let fails = |kept: &[usize]| {
        let trial = RunOptions {
            keep: Some(kept.to_vec()),
            verbose: false,
            ..options.clone()
        };
        run(&trial).is_err_and(|f| failure_kind(&f.message) == kind)
    };
    let mut chunks = 2;
    while kept.len() >= 2 {
        let size = kept.len().div_ceil(chunks);
        let mut reduced = false;
        for start in (0..kept.len()).step_by(size) {
            let complement: Vec<usize> = kept[..start]
                .iter()
                .chain(&kept[(start + size).min(kept.len())..])
                .copied()
                .collect();
            if fails(&complement) {
                kept = complement;
                chunks = (chunks - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if chunks >= kept.len() {
                break;
            }
            chunks = (chunks * 2).min(kept.len());
        }
    }
    RunOptions {
        keep: Some(kept),
        ..options.clone()
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(text) => {
            eprintln!("{text}");
            return ExitCode::from(2);
        }
    };
    // Panics are caught and reported as failures with their message; the default hook's
    // backtrace noise would drown the report (and repeat during shrinking).
    std::panic::set_hook(Box::new(|_| {}));
    let started = std::time::Instant::now();
    let (mut total_steps, mut runs) = (0, 0);
    for seed in args.seeds.clone() {
        let options = RunOptions {
            seed,
            ..args.options.clone()
        };
        let result = run(&options);
        if args.twice {
            if let Ok(first) = &result {
                let again = run(&options).map(|s| s.trace_hash);
                if again.as_ref().ok() != Some(&first.trace_hash) {
                    println!(
                        "seed {seed}: NONDETERMINISTIC: trace {:016x}, then {again:x?}",
                        first.trace_hash
                    );
                    println!("reproduce: {} --twice", command(&options));
                    return ExitCode::FAILURE;
                }
            }
        }
        match result {
            Ok(summary) => {
                runs += 1;
                total_steps += summary.steps;
                println!(
                    "seed {seed}: ok, {} steps, {} commits, {} I/O ops, {} faults, {} crashes, \
                     trace {:016x}",
                    summary.steps,
                    summary.commits,
                    summary.io.ops,
                    summary.io.faults,
                    summary.io.crashes,
                    summary.trace_hash
                );
            }
            Err(failure) if args.expect_failure => {
                println!(
                    "canary: simulator found the planted bug at seed {seed} (step {}: {}) in \
                     {:.1}s",
                    failure.step,
                    failure.message,
                    started.elapsed().as_secs_f64()
                );
                println!("reproduce: {}", command(&options));
                return ExitCode::SUCCESS;
            }
            Err(failure) => {
                println!(
                    "seed {seed}: FAILED at step {}: {}",
                    failure.step, failure.message
                );
                println!("reproduce: {}", command(&options));
                if args.shrink {
                    let small = shrink(&options, &failure);
                    let why = run(&small).err().map_or(String::new(), |f| f.message);
                    println!(
                        "shrunk to {} steps: {why}",
                        small.keep.as_ref().map_or(0, Vec::len)
                    );
                    println!("reproduce (shrunk): {} --verbose", command(&small));
                } else {
                    println!("shrink: {} --shrink", command(&options));
                }
                return ExitCode::FAILURE;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{runs} seeds, {total_steps} steps in {secs:.1}s ({:.0} steps/s)",
        total_steps as f64 / secs.max(1e-9)
    );
    if args.expect_failure {
        println!(
            "canary: no violation in seeds {}..{}: the simulator missed the planted bug",
            args.seeds.start, args.seeds.end
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(seed: u64, steps: usize) -> RunOptions {
        RunOptions {
            seed,
            steps,
            keep: None,
            sqlite: true,
            verbose: false,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_trace() {
        for seed in [3, 11] {
            let first = run(&options(seed, 120)).map(|s| s.trace_hash);
            let second = run(&options(seed, 120)).map(|s| s.trace_hash);
            match (first, second) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "seed {seed}"),
                (Err(a), Err(b)) => assert_eq!((a.step, a.message), (b.step, b.message)),
                (a, b) => panic!("seed {seed} ran differently: {a:?} / {b:?}"),
            }
        }
    }

    #[test]
    fn a_budget_of_seeds_passes() {
        for seed in 100..120 {
            if let Err(f) = run(&options(seed, 300)) {
                panic!(
                    "seed {seed} failed at step {}: {}\nreproduce: {}",
                    f.step,
                    f.message,
                    command(&options(seed, 300))
                );
            }
        }
    }

    #[test]
    fn shrinking_keeps_the_kind_of_failure() {
        assert_eq!(
            failure_kind("`DELETE FROM t0 WHERE id = 3` failed: Busy 12"),
            failure_kind("`INSERT INTO t1 VALUES (1)` failed: Busy 7")
        );
    }
}
