#!/usr/bin/env bash
# The project's test command (README): everything CI checks, on a fresh machine.
# Debug builds for the unit and property tests; the sqllogictest corpus runs in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo is missing; install the Rust toolchain (rustup) first" >&2
    exit 1
fi
# The sqlite3 CLI is the oracle for the shell's behaviour.
if ! command -v sqlite3 >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq >/dev/null && apt-get install -y -qq sqlite3 >/dev/null
    else
        echo "error: the sqlite3 CLI is missing; install it (Debian: apt-get install sqlite3)" >&2
        exit 1
    fi
fi

# The sqllogictest corpus, in release mode: prints the counts, and fails if any file listed in
# passing.txt (the files that pass completely) regresses.
if [ -d ../shared/sqllogictest/test ]; then
    cargo run --release -q -p basalt_slt -- --passing-list crates/basalt_slt/passing.txt ../shared/sqllogictest/test
else
    echo "error: ../shared/sqllogictest/test is missing: the sqllogictest corpus cannot run" >&2
    exit 1
fi

# The canaries: each builds the engine with one planted durability bug (a commit reported before
# its WAL frames are synced; a torn WAL frame applied because its checksum is not checked) and
# fails unless the simulator finds a violation within the same seed budget. Cargo keeps each
# feature set's artifacts side by side, so only basalt_core and the simulator are rebuilt, and
# the normal run below puts the normal binary back in target/release.
for canary in canary-skip-commit-sync canary-skip-frame-checksum; do
    cargo run --release -q -p basalt-simulator --features "$canary" -- --seeds 1..400 --expect-failure \
        | grep -E '^(canary|reproduce)'
done

# The deterministic simulator: a fixed budget of seeds, each run twice to prove determinism.
# A failure prints the command that reproduces it and the one that shrinks it.
cargo run --release -q -p basalt-simulator -- --seeds 1..400 --twice | grep -v ': ok,'

# CPython's own sqlite3 test suite against Basalt's libsqlite3.so.0, with the skip list of
# COMPAT.md ("CPython's sqlite3 test suite"); a few seconds.
scripts/cpython_sqlite3.sh

# Doc-tests next: nextest does not run them, and its summary should be the last word.
cargo test --workspace --doc
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast
else
    cargo test --workspace --no-fail-fast
fi
