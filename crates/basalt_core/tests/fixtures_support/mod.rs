//! The shared fixture databases (`../shared/fixtures/databases.tgz`), unpacked once per test
//! into a scratch folder. A missing archive fails the test and says what is missing. Scratch
//! folders are removed when their `ScratchDir` is dropped, also when the test panics, so no
//! `basalt-*` folder outlives a run.

use std::path::{Path, PathBuf};

/// A fresh folder in the temporary directory, removed with its contents on drop.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// Creates `basalt-<name>-<pid>`, emptied first if a crashed run left it.
    pub fn new(name: &str) -> ScratchDir {
        let dir = std::env::temp_dir().join(format!("basalt-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch folder");
        ScratchDir(dir)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for ScratchDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for ScratchDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

/// Unpacks the fixtures into a fresh folder named after `purpose`; returns that folder.
pub fn unpack(purpose: &str) -> ScratchDir {
    let tgz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/databases.tgz");
    assert!(
        tgz.exists(),
        "missing {}: the shared fixtures are needed for this test",
        tgz.display()
    );
    let dir = ScratchDir::new(&format!("fixtures-{purpose}"));
    let status = std::process::Command::new("tar")
        .arg("xzf")
        .arg(&tgz)
        .arg("-C")
        .arg(&*dir)
        .status()
        .expect("run tar");
    assert!(status.success(), "could not unpack {}", tgz.display());
    dir
}
