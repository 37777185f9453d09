//! Building one C program twice — linked against our `libsqlite3.so.0`, and against SQLite's
//! amalgamation bundled by `libsqlite3-sys` — and running both builds. Shared by the tests that
//! compare C programs against real SQLite (`c_api.rs`, `speedtest.rs`); `scripts/c_speedtest.sh`
//! finds the amalgamation the same way (the newest `libsqlite3-sys-*` in cargo's registry).
//!
//! Invariant: tests may run at the same time and share one work directory, so every file they
//! share (our installed library, SQLite's object file) is written under a private name and
//! renamed into place: a reader sees the old file or the new one, never half of one.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where programs are built: our library installed, SQLite's amalgamation found.
pub struct Builds {
    work: PathBuf,
    amalgamation: PathBuf,
}

impl Builds {
    /// Prepares the shared work directory; `None`, saying why, without gcc or the amalgamation
    /// (the caller then skips).
    pub fn new(what: &str) -> Option<Self> {
        if Command::new("gcc").arg("--version").output().is_err() {
            eprintln!("SKIPPED {what}: gcc is not installed");
            return None;
        }
        let Some(amalgamation) = amalgamation() else {
            eprintln!("SKIPPED {what}: libsqlite3-sys's sqlite3.c not found");
            return None;
        };
        let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("basalt_capi");
        std::fs::create_dir_all(&work).expect("work dir");
        install_ours(&work);
        Some(Builds { work, amalgamation })
    }

    /// The directory where the builds, their scratch directories and transcripts go.
    pub fn work(&self) -> &Path {
        &self.work
    }

    /// `source` compiled and linked against our library, as `<work>/<name>_basalt`.
    pub fn against_ours(&self, source: &Path, name: &str) -> PathBuf {
        let program = self.work.join(format!("{name}_basalt"));
        let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
        gcc(&[
            "-Wall".into(),
            "-Werror".into(),
            flag("-I", &include),
            source.into(),
            flag("-L", &self.work),
            "-lsqlite3".into(),
            flag("-Wl,-rpath,", &self.work),
            "-o".into(),
            program.clone().into(),
        ]);
        program
    }

    /// `source` compiled against SQLite's header and linked with its object file, as
    /// `<work>/<name>_sqlite`.
    pub fn against_sqlite(&self, source: &Path, name: &str) -> PathBuf {
        let object = sqlite_object(&self.amalgamation, &self.work);
        let program = self.work.join(format!("{name}_sqlite"));
        gcc(&[
            "-Wall".into(),
            flag("-I", &self.amalgamation),
            source.into(),
            object.into(),
            "-lpthread".into(),
            "-ldl".into(),
            "-lm".into(),
            "-o".into(),
            program.clone().into(),
        ]);
        program
    }
}

/// Runs `program` with `args`, a fresh `scratch` directory as its last argument; its standard
/// output, after requiring that it succeeded.
pub fn run(program: &Path, args: &[&str], scratch: &Path) -> String {
    let _ = std::fs::remove_dir_all(scratch);
    std::fs::create_dir_all(scratch).expect("scratch dir");
    let output = Command::new(program)
        .args(args)
        .arg(scratch)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{} failed: {:?}\n{}",
        program.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
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

fn flag(name: &str, path: &Path) -> OsString {
    let mut flag = OsString::from(name);
    flag.push(path);
    flag
}

fn gcc(args: &[OsString]) {
    let output = Command::new("gcc").args(args).output().expect("gcc runs");
    assert!(
        output.status.success(),
        "gcc {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `path` with this process's id and a per-process count appended: where a shared file is
/// written before its rename (tests of one binary run on several threads).
fn private_name(path: &Path) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let count = COUNT.fetch_add(1, Ordering::Relaxed);
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{}.{count}", std::process::id()));
    PathBuf::from(name)
}

/// Our cdylib, built by cargo next to this test binary, installed in `dir` under its SONAME
/// (and as `libsqlite3.so` for the linker).
fn install_ours(dir: &Path) {
    let exe = std::env::current_exe().expect("test binary path");
    let built = exe.parent().expect("deps dir").join("libsqlite3.so");
    assert!(built.is_file(), "{} was not built", built.display());
    let library = dir.join("libsqlite3.so.0");
    let copy = private_name(&library);
    std::fs::copy(&built, &copy).expect("copy libsqlite3.so.0");
    std::fs::rename(&copy, &library).expect("install libsqlite3.so.0");
    let link = dir.join("libsqlite3.so");
    let new_link = private_name(&link);
    let _ = std::fs::remove_file(&new_link);
    std::os::unix::fs::symlink("libsqlite3.so.0", &new_link).expect("symlink libsqlite3.so");
    std::fs::rename(&new_link, &link).expect("install libsqlite3.so");
}

/// SQLite compiled once per amalgamation into an object file (the slow part), with the
/// options of the programs' API that a default build leaves out (column metadata, as
/// `libsqlite3-sys` builds it). The file's name changes whenever the options do, so an object
/// built with other options is never reused.
fn sqlite_object(amalgamation: &Path, dir: &Path) -> PathBuf {
    let object = dir.join("sqlite3-real-column-metadata.o");
    let source = amalgamation.join("sqlite3.c");
    let fresh = |o: &Path| -> Option<bool> {
        Some(o.metadata().ok()?.modified().ok()? >= source.metadata().ok()?.modified().ok()?)
    };
    if fresh(&object) != Some(true) {
        let partial = private_name(&object);
        gcc(&[
            "-c".into(),
            "-O1".into(),
            "-DSQLITE_THREADSAFE=1".into(),
            "-DSQLITE_ENABLE_COLUMN_METADATA".into(),
            source.into(),
            "-o".into(),
            partial.clone().into(),
        ]);
        std::fs::rename(&partial, &object).expect("install sqlite3-real.o");
    }
    object
}
