//! The C API against real SQLite: `tests/c/api_test.c` is compiled with gcc twice — linked
//! against our `libsqlite3.so.0`, and against SQLite's amalgamation bundled by
//! `libsqlite3-sys` — and the two transcripts must be equal byte for byte (the `sourceid:` line
//! aside, which must name Basalt in our run). Skips, saying why, without gcc or the
//! amalgamation.

use std::path::{Path, PathBuf};
use std::process::Command;

fn has_gcc() -> bool {
    Command::new("gcc").arg("--version").output().is_ok()
}

/// The SQLite amalgamation (`sqlite3.c`, `sqlite3.h`) bundled with `libsqlite3-sys`.
fn amalgamation() -> Option<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    let registry = std::fs::read_dir(cargo_home.join("registry/src")).ok()?;
    let mut found: Vec<PathBuf> = registry
        .flatten()
        .flat_map(|index| {
            std::fs::read_dir(index.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("libsqlite3-sys-")
        })
        .map(|e| e.path().join("sqlite3"))
        .filter(|dir| dir.join("sqlite3.c").is_file())
        .collect();
    found.sort();
    found.pop()
}

fn gcc(args: &[&std::ffi::OsStr]) {
    let output = Command::new("gcc").args(args).output().expect("gcc runs");
    assert!(
        output.status.success(),
        "gcc {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Our cdylib, built by cargo next to this test binary, installed in `dir` under its SONAME.
fn install_ours(dir: &Path) {
    let exe = std::env::current_exe().expect("test binary path");
    let built = exe.parent().expect("deps dir").join("libsqlite3.so");
    assert!(built.is_file(), "{} was not built", built.display());
    std::fs::copy(&built, dir.join("libsqlite3.so.0")).expect("copy libsqlite3.so.0");
    let link = dir.join("libsqlite3.so");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink("libsqlite3.so.0", &link).expect("symlink libsqlite3.so");
}

/// SQLite compiled once per amalgamation into an object file (the slow part).
fn sqlite_object(amalgamation: &Path, dir: &Path) -> PathBuf {
    let object = dir.join("sqlite3-real.o");
    let source = amalgamation.join("sqlite3.c");
    let fresh = |o: &Path| -> Option<bool> {
        Some(o.metadata().ok()?.modified().ok()? >= source.metadata().ok()?.modified().ok()?)
    };
    if fresh(&object) != Some(true) {
        gcc(&[
            "-c".as_ref(),
            "-O1".as_ref(),
            "-DSQLITE_THREADSAFE=1".as_ref(),
            source.as_os_str(),
            "-o".as_ref(),
            object.as_os_str(),
        ]);
    }
    object
}

fn run(program: &Path, scratch: &Path) -> String {
    let _ = std::fs::remove_dir_all(scratch);
    std::fs::create_dir_all(scratch).expect("scratch dir");
    let output = Command::new(program).arg(scratch).output().expect("runs");
    assert!(
        output.status.success(),
        "{} failed: {:?}\n{}",
        program.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The transcript without its `sourceid:` line, and that line.
fn split_sourceid(transcript: &str) -> (String, String) {
    let (ids, rest): (Vec<&str>, Vec<&str>) =
        transcript.lines().partition(|l| l.starts_with("sourceid:"));
    (rest.join("\n"), ids.join("\n"))
}

/// Each C program under `tests/c/` against our library and against real SQLite: the core
/// API (`api_test.c`); printf, config, status, UTF-16, backup and serialize (`ext_test.c`);
/// user functions, collations, values, results and hooks (`udf_test.c`); the authorizer,
/// `PRAGMA count_changes` and SQLITE_LIMIT_FUNCTION_ARG (`authz_test.c`). One test runs them in
/// turn: they share one work directory (our installed library, SQLite's object file), and test
/// runners may put separate tests in separate processes.
#[test]
fn c_programs_match_real_sqlite() {
    for program in ["api_test", "ext_test", "udf_test", "authz_test"] {
        compare_transcripts(program);
    }
}

/// Builds `tests/c/<name>.c` against our library and against real SQLite, runs both, and
/// requires equal transcripts.
fn compare_transcripts(name: &str) {
    if !has_gcc() {
        eprintln!("SKIPPED {name}: gcc is not installed");
        return;
    }
    let Some(amalgamation) = amalgamation() else {
        eprintln!("SKIPPED {name}: libsqlite3-sys's sqlite3.c not found");
        return;
    };
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = manifest.join(format!("tests/c/{name}.c"));
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("basalt_capi");
    std::fs::create_dir_all(&work).expect("work dir");

    install_ours(&work);
    let ours = work.join(format!("{name}_basalt"));
    let mut rpath = std::ffi::OsString::from("-Wl,-rpath,");
    rpath.push(&work);
    let mut lib_dir = std::ffi::OsString::from("-L");
    lib_dir.push(&work);
    let mut include = std::ffi::OsString::from("-I");
    include.push(manifest.join("include"));
    gcc(&[
        "-Wall".as_ref(),
        "-Werror".as_ref(),
        include.as_os_str(),
        source.as_os_str(),
        lib_dir.as_os_str(),
        "-lsqlite3".as_ref(),
        rpath.as_os_str(),
        "-o".as_ref(),
        ours.as_os_str(),
    ]);

    let object = sqlite_object(&amalgamation, &work);
    let real = work.join(format!("{name}_sqlite"));
    let mut real_include = std::ffi::OsString::from("-I");
    real_include.push(&amalgamation);
    gcc(&[
        "-Wall".as_ref(),
        real_include.as_os_str(),
        source.as_os_str(),
        object.as_os_str(),
        "-lpthread".as_ref(),
        "-ldl".as_ref(),
        "-lm".as_ref(),
        "-o".as_ref(),
        real.as_os_str(),
    ]);

    let (ours_text, ours_id) =
        split_sourceid(&run(&ours, &work.join(format!("scratch-{name}-basalt"))));
    let (real_text, real_id) =
        split_sourceid(&run(&real, &work.join(format!("scratch-{name}-sqlite"))));
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
