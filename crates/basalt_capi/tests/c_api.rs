//! The C API against real SQLite: `tests/c/api_test.c` is compiled with gcc twice — linked
//! against our `libsqlite3.so.0`, and against SQLite's amalgamation bundled by
//! `libsqlite3-sys` — and the two transcripts must be equal byte for byte (the `sourceid:` line
//! aside, which must name Basalt in our run). Skips, saying why, without gcc or the
//! amalgamation.

mod c_support;

use c_support::{run, Builds};
use std::path::Path;

/// The transcript without its `sourceid:` line, and that line.
fn split_sourceid(transcript: &str) -> (String, String) {
    let (ids, rest): (Vec<&str>, Vec<&str>) =
        transcript.lines().partition(|l| l.starts_with("sourceid:"));
    (rest.join("\n"), ids.join("\n"))
}

/// Each C program under `tests/c/` against our library and against real SQLite: the core
/// API (`api_test.c`); printf, config, status, UTF-16, backup and serialize (`ext_test.c`);
/// user functions, collations, values, results and hooks (`udf_test.c`); URI filenames
/// (`uri_test.c`); legacy prepare, 64-bit binds, busy handlers, WAL checkpoints (`more_test.c`). One test runs them in turn, so SQLite's object file, shared through the
/// work directory (`c_support`), is compiled once before any of them needs it.
#[test]
fn c_programs_match_real_sqlite() {
    for program in ["api_test", "ext_test", "udf_test", "uri_test", "more_test"] {
        compare_transcripts(program);
    }
}

/// Builds `tests/c/<name>.c` against our library and against real SQLite, runs both, and
/// requires equal transcripts.
fn compare_transcripts(name: &str) {
    let Some(builds) = Builds::new(name) else {
        return;
    };
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/c/{name}.c"));
    let ours = builds.against_ours(&source, name);
    let real = builds.against_sqlite(&source, name);
    let work = builds.work();

    let (ours_text, ours_id) = split_sourceid(&run(
        &ours,
        &[],
        &work.join(format!("scratch-{name}-basalt")),
    ));
    let (real_text, real_id) = split_sourceid(&run(
        &real,
        &[],
        &work.join(format!("scratch-{name}-sqlite")),
    ));
    assert!(ours_id.contains("Basalt"), "not our library: {ours_id}");
    assert!(!real_id.contains("Basalt"), "not real SQLite: {real_id}");
    std::fs::write(work.join(format!("{name}-basalt.txt")), &ours_text).expect("write");
    std::fs::write(work.join(format!("{name}-sqlite.txt")), &real_text).expect("write");
    if ours_text != real_text {
        let first = ours_text
            .lines()
            .zip(real_text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(ours_text.lines().count().min(real_text.lines().count()));
        panic!(
            "{name}: transcripts differ from line {}:\n basalt: {:?}\n sqlite: {:?}\n(full transcripts in {})",
            first + 1,
            ours_text.lines().nth(first),
            real_text.lines().nth(first),
            work.display()
        );
    }
}
