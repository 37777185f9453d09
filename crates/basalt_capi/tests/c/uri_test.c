/*
 * The URI filename program (tests/c_api.rs): opens `file:` names with and without
 * SQLITE_OPEN_URI and SQLITE_CONFIG_URI, and prints what each open did — its result code,
 * message, the file it made and whether the connection can write. Linked once against
 * Basalt's libsqlite3 and once against real SQLite; the transcripts must be equal.
 * argv[1] is a scratch directory; every name below is relative to it.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *basename_of(const char *path) {
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : (path ? path : "(NULL)");
}

/* Opens `name`, then tries a write and a read, and lists what the open left on disk. */
static void try_open(const char *name, int flags, const char *expected_file) {
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(name, &db, flags, NULL);
    printf("open [%s] flags=%#x rc=%d msg=%s\n", name, flags, rc,
           db ? sqlite3_errmsg(db) : "(no handle)");
    if (rc == SQLITE_OK) {
        const char *file = sqlite3_db_filename(db, "main");
        printf("  filename=%s readonly=%d\n", file && *file ? basename_of(file) : "(empty)",
               sqlite3_db_readonly(db, "main"));
        rc = sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS t(x); INSERT INTO t VALUES(1)", 0, 0, 0);
        printf("  write rc=%d msg=%s\n", rc, sqlite3_errmsg(db));
        sqlite3_stmt *stmt = NULL;
        rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &stmt, NULL);
        if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
            printf("  rows=%d\n", sqlite3_column_int(stmt, 0));
        else
            printf("  read rc=%d msg=%s\n", rc, sqlite3_errmsg(db));
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    if (expected_file)
        printf("  %s exists=%d\n", expected_file, access(expected_file, F_OK) == 0);
}

int main(int argc, char **argv) {
    if (argc < 2 || chdir(argv[1]) != 0) {
        fprintf(stderr, "usage: uri_test SCRATCH_DIR\n");
        return 2;
    }
    printf("sourceid: %s\n", sqlite3_sourceid());
    const int rwc = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    const int uri = rwc | SQLITE_OPEN_URI;

    /* Without the flag a `file:` name is a plain file name. */
    try_open("file:plain.db", rwc, "file:plain.db");
    /* With it: the path, percent escapes, an empty or localhost authority. */
    try_open("file:a.db", uri, "a.db");
    try_open("file:with%20space.db", uri, "with space.db");
    try_open("file:pct%zz.db", uri, "pct%zz.db");
    try_open("file:cut%00tail.db", uri, "cut");
    try_open("file:frag.db#ignored", uri, "frag.db");
    try_open("file:query.db?unknown=1&nolock=1&psow=0", uri, "query.db");
    try_open("file://localhost/dev/null/x.db", uri, NULL);
    try_open("file://elsewhere/x.db", uri, NULL);
    try_open("FILE:upper.db", uri, "FILE:upper.db");
    /* A name is bytes: it need not be UTF-8, plain or escaped in a URI. */
    try_open("bad\xff.db", rwc, "bad\xff.db");
    try_open("file:esc%FF%fe.db", uri, "esc\xff\xfe.db");
    /* Access modes: never more than the flags allow. */
    try_open("file:missing.db?mode=ro", uri, "missing.db");
    try_open("file:a.db?mode=ro", uri, NULL);
    try_open("file:a.db?mode=rw", uri, NULL);
    try_open("file:new_rw.db?mode=rw", uri, "new_rw.db");
    try_open("file:new_rwc.db?mode=rwc", uri, "new_rwc.db");
    try_open("file:a.db?mode=rwc", SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL);
    try_open("file:a.db?mode=rw", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    try_open("file:a.db?mode=bogus", uri, NULL);
    try_open("file:a.db?cache=bogus", uri, NULL);
    try_open("file:a.db?cache=private", uri, NULL);
    try_open("file:a.db?mode=ro&mode=rw", uri, NULL);
    /* Memory databases. */
    try_open("file::memory:", uri, NULL);
    try_open("file:mem.db?mode=memory", uri, "mem.db");
    try_open("file:", uri, NULL);
    try_open("file:a.db?vfs=unix", uri, NULL);

    /* SQLITE_CONFIG_URI makes every open read URIs (set while the library is shut down). */
    printf("shutdown rc=%d\n", sqlite3_shutdown());
    printf("config URI rc=%d\n", sqlite3_config(SQLITE_CONFIG_URI, 1));
    try_open("file:by_default.db?mode=rwc", rwc, "by_default.db");
    try_open("file:a.db?mode=ro", rwc, NULL);
    return 0;
}
