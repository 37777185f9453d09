//! The shared fixture databases (`../shared/fixtures/databases.tgz`), unpacked once per test
//! into a scratch folder. A missing archive fails the test and says what is missing.

use std::path::{Path, PathBuf};

/// Unpacks the fixtures into a fresh folder named after `purpose`; returns that folder.
pub fn unpack(purpose: &str) -> PathBuf {
    let tgz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/databases.tgz");
    assert!(
        tgz.exists(),
        "missing {}: the shared fixtures are needed for this test",
        tgz.display()
    );
    let dir =
        std::env::temp_dir().join(format!("basalt-fixtures-{purpose}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    let status = std::process::Command::new("tar")
        .arg("xzf")
        .arg(&tgz)
        .arg("-C")
        .arg(&dir)
        .status()
        .expect("run tar");
    assert!(status.success(), "could not unpack {}", tgz.display());
    dir
}
