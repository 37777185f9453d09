//! `bench/speedtest.c` (the C timing program `scripts/c_speedtest.sh` runs) at a small size,
//! built against our library and against real SQLite: both must run every phase to the end
//! and print the same checksum for each. Times are printed, never checked. Skips, saying why,
//! without gcc or SQLite's amalgamation.

mod c_support;

use c_support::{run, Builds};
use std::path::Path;

/// Rows in the main table: enough for multi-level b-trees in every table and index, small
/// enough for well under a second per build.
const SIZE: &str = "10000";

/// The `(phase, checksum)` pairs of a run, after requiring that it names its library as
/// expected and reached its closing `total` line.
fn checksums(transcript: &str, basalt: bool) -> Vec<(String, String)> {
    let source_id = transcript.lines().next().unwrap_or_default();
    assert!(source_id.starts_with("sourceid: "), "{transcript}");
    assert_eq!(
        source_id.contains("Basalt"),
        basalt,
        "wrong library: {source_id}"
    );
    assert!(
        transcript
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("total "),
        "did not run to the end:\n{transcript}"
    );
    transcript
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields[..] {
                ["phase", name, "wall_ms", _, "cpu_ms", _, "checksum", sum] => {
                    Some((name.to_owned(), sum.to_owned()))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn speedtest_checksums_match_real_sqlite() {
    let Some(builds) = Builds::new("speedtest") else {
        return;
    };
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/speedtest.c");
    let ours = builds.against_ours(&source, "speedtest");
    let real = builds.against_sqlite(&source, "speedtest");
    let args = ["--size", SIZE, "--dir"];
    let ours_text = run(
        &ours,
        &args,
        &builds.work().join("scratch-speedtest-basalt"),
    );
    let real_text = run(
        &real,
        &args,
        &builds.work().join("scratch-speedtest-sqlite"),
    );
    println!("basalt:\n{ours_text}\nsqlite:\n{real_text}");
    let ours_sums = checksums(&ours_text, true);
    let real_sums = checksums(&real_text, false);
    assert!(
        real_sums
            .last()
            .is_some_and(|(name, _)| name == "integrity_check"),
        "the last phase is not integrity_check:\n{real_text}"
    );
    assert_eq!(ours_sums, real_sums, "per-phase checksums differ");
}
