#!/usr/bin/env bash
# Issue 7, item 4: the benchmark workloads as SQL scripts on stdin to the `basalt` shell and to
# sqlite3, timed end to end. Arguments go to `basalt-bench --shell` (e.g. --scale 0.1, --only
# insert,join, --rounds 5, --cpu, --sqlite3 /path/to/sqlite3).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p basalt_shell -p basalt_bench
target="${CARGO_TARGET_DIR:-target}"
exec "$target/release/basalt-bench" --shell "$@"
