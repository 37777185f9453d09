#!/usr/bin/env bash
# Issue 12: one C program over SQLite's public API (crates/basalt_capi/bench/speedtest.c), built
# unchanged against Basalt's libsqlite3.so.0 (release) and against SQLite 3.54.1 compiled with
# -O2 from the amalgamation bundled by libsqlite3-sys. Runs both for R rounds, alternating which
# goes first, and prints per phase the median time of each, the ratio Basalt / SQLite (below 1:
# Basalt is faster) and whether the checksums of every run agree. Fails if they do not, or if
# the Basalt build did not load Basalt (its sqlite3_sourceid() must name it).
# Times are CPU time of the process (steadier on a shared machine); --wall for wall-clock.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 [--size N] [--rounds R] [--wall]" >&2
    exit 2
}
size=300000
rounds=3
clock=cpu_ms
while [ $# -gt 0 ]; do
    case "$1" in
        --size) [ $# -ge 2 ] || usage; size="$2"; shift 2 ;;
        --rounds) [ $# -ge 2 ] || usage; rounds="$2"; shift 2 ;;
        --wall) clock=wall_ms; shift ;;
        *) usage ;;
    esac
done
if ! command -v gcc >/dev/null 2>&1; then
    echo "error: gcc is missing" >&2
    exit 1
fi

cargo build --release -q -p basalt_capi
target="${CARGO_TARGET_DIR:-$PWD/target}"
# The amalgamation as crates/basalt_capi/tests/c_support finds it: the newest libsqlite3-sys
# in cargo's registry.
amalgamation="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/libsqlite3-sys-*/sqlite3 \
    2>/dev/null | sort | tail -n 1)"
if [ ! -f "$amalgamation/sqlite3.c" ]; then
    echo "error: libsqlite3-sys's sqlite3.c not found (run cargo fetch)" >&2
    exit 1
fi

work="$target/c_speedtest"
mkdir -p "$work/lib"
# A copy under the SONAME, so a later build cannot change the library under a run.
cp "$target/release/libsqlite3.so" "$work/lib/libsqlite3.so.0"
ln -sf libsqlite3.so.0 "$work/lib/libsqlite3.so"
object="$work/sqlite3-O2.o"
if [ ! "$object" -nt "$amalgamation/sqlite3.c" ]; then
    echo "compiling SQLite's amalgamation with -O2 (once)..." >&2
    gcc -c -O2 -DSQLITE_THREADSAFE=1 "$amalgamation/sqlite3.c" -o "$object.partial"
    mv "$object.partial" "$object"
fi
source=crates/basalt_capi/bench/speedtest.c
gcc -O2 -Wall -Werror -Icrates/basalt_capi/include "$source" \
    -L"$work/lib" -lsqlite3 -Wl,-rpath,"$work/lib" -o "$work/speedtest_basalt"
gcc -O2 -Wall -I"$amalgamation" "$source" "$object" -lpthread -ldl -lm \
    -o "$work/speedtest_sqlite"

rm -f "$work"/run-*.txt
for ((round = 1; round <= rounds; round++)); do
    order=(basalt sqlite)
    if ((round % 2 == 0)); then order=(sqlite basalt); fi
    for lib in "${order[@]}"; do
        rm -rf "$work/scratch" && mkdir "$work/scratch"
        "$work/speedtest_$lib" --size "$size" --dir "$work/scratch" >"$work/run-$lib-$round.txt"
    done
    if ! grep -q '^sourceid: .*Basalt' "$work/run-basalt-$round.txt"; then
        echo "error: the Basalt build did not load Basalt: $(head -n 1 "$work/run-basalt-$round.txt")" >&2
        exit 1
    fi
    if grep -q '^sourceid: .*Basalt' "$work/run-sqlite-$round.txt"; then
        echo "error: the SQLite build loaded Basalt" >&2
        exit 1
    fi
done

echo "speedtest --size $size, $rounds rounds, median $clock"
# Lines are "phase NAME wall_ms W cpu_ms C checksum HEX" and "total wall_ms W cpu_ms C".
awk -v clock="$clock" '
    function median(list,    n, v, i, j, t) {
        n = split(list, v, " ")
        for (i = 2; i <= n; i++)
            for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function time_of(    i) { for (i = 1; i < NF; i++) if ($i == clock) return $(i + 1) }
    {
        lib = FILENAME ~ /run-basalt-/ ? "basalt" : "sqlite"
        if ($1 == "phase") name = $2; else if ($1 == "total") name = "total"; else next
        if (!(name in seen)) { seen[name] = 1; names[++count] = name }
        times[lib, name] = times[lib, name] " " time_of()
        if ($1 != "phase") next
        if (!(name in sum)) sum[name] = $NF
        else if (sum[name] != $NF) differ[name] = 1
    }
    END {
        print "| phase | Basalt ms | SQLite ms | ratio | checksums |"
        print "| --- | ---: | ---: | ---: | --- |"
        for (i = 1; i <= count; i++) {
            name = names[i]
            b = median(times["basalt", name]); s = median(times["sqlite", name])
            same = "agree"
            if (name == "total") same = ""
            else if (name in differ) same = "DIFFER"
            printf "| %s | %.1f | %.1f | %.2f | %s |\n", name, b, s, (s > 0 ? b / s : 0), same
            if (name in differ) bad = 1
        }
        exit bad ? 3 : 0
    }' "$work"/run-*.txt || status=$?
if [ "${status:-0}" = 3 ]; then
    echo "error: checksums differ between runs (transcripts: $work/run-*.txt)" >&2
fi
exit "${status:-0}"
