/*
 * The fifth C differential program (tests/c_api.rs): the legacy prepare interfaces, the
 * 64-bit and zeroblob binds, sqlite3_stmt_busy, busy handlers between two connections, and
 * the WAL checkpoint entry points. Linked once against Basalt's libsqlite3 and once against
 * real SQLite; the transcripts must be equal. argv[1] is a scratch directory.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void show_row(sqlite3_stmt *stmt) {
    int n = sqlite3_column_count(stmt);
    for (int i = 0; i < n; i++) {
        const unsigned char *text = sqlite3_column_text(stmt, i);
        printf("%s%s:%d", i ? " " : "  ", text ? (const char *)text : "NULL",
               sqlite3_column_bytes(stmt, i));
    }
    printf("\n");
}

/* Runs `sql` to its end, printing each row and the final codes. */
static void query(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    printf("%s -> prepare %d", sql, rc);
    if (rc != SQLITE_OK) {
        printf(" %s\n", sqlite3_errmsg(db));
        return;
    }
    printf("\n");
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        show_row(stmt);
    printf("  step %d errcode %d %s\n", rc, sqlite3_errcode(db), sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
}

static void legacy_prepare(sqlite3 *db) {
    sqlite3_exec(db, "CREATE TABLE u(x UNIQUE)", 0, 0, 0);
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare(db, "INSERT INTO u VALUES(1); SELECT 2", -1, &stmt, &tail);
    printf("prepare rc=%d tail=[%s]\n", rc, tail);
    printf("step %d\n", sqlite3_step(stmt));
    sqlite3_reset(stmt);
    rc = sqlite3_step(stmt);
    printf("step again %d errcode %d extended %d msg %s\n", rc, sqlite3_errcode(db),
           sqlite3_extended_errcode(db), sqlite3_errmsg(db));
    rc = sqlite3_reset(stmt);
    printf("reset %d errcode %d msg %s\n", rc, sqlite3_errcode(db), sqlite3_errmsg(db));
    sqlite3_finalize(stmt);

    const unsigned short sql16[] = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '4', '2', ';', ' ', 'X', 0};
    const void *tail16 = NULL;
    rc = sqlite3_prepare16(db, sql16, -1, &stmt, &tail16);
    printf("prepare16 rc=%d tail offset=%d\n", rc,
           (int)((const unsigned short *)tail16 - sql16));
    if (sqlite3_step(stmt) == SQLITE_ROW)
        show_row(stmt);
    sqlite3_finalize(stmt);
    rc = sqlite3_prepare(db, "SELECT * FROM nosuch", -1, &stmt, NULL);
    printf("prepare missing rc=%d stmt=%s msg=%s\n", rc, stmt ? "set" : "NULL", sqlite3_errmsg(db));
}

static void binds(sqlite3 *db) {
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2(db, "SELECT ?1, typeof(?1), length(?1), ?2, typeof(?2), length(?2), hex(?3)",
                       -1, &stmt, NULL);
    printf("blob64 %d\n", sqlite3_bind_blob64(stmt, 1, "ab\0cd", 5, SQLITE_TRANSIENT));
    printf("text64 utf8 %d\n", sqlite3_bind_text64(stmt, 2, "h\xc3\xa9llo", 6, SQLITE_STATIC,
                                                    SQLITE_UTF8));
    const unsigned char le[] = {'h', 0, 0xe9, 0, 'y', 0};
    printf("text64 utf16le %d\n", sqlite3_bind_text64(stmt, 3, (const char *)le, 6,
                                                       SQLITE_TRANSIENT, SQLITE_UTF16LE));
    if (sqlite3_step(stmt) == SQLITE_ROW)
        show_row(stmt);
    sqlite3_reset(stmt);
    const unsigned char be[] = {0, 'h', 0, 0xe9, 0, 'z'};
    printf("text64 utf16be %d\n", sqlite3_bind_text64(stmt, 3, (const char *)be, 6,
                                                       SQLITE_TRANSIENT, SQLITE_UTF16BE));
    printf("text64 utf16 odd %d\n", sqlite3_bind_text64(stmt, 2, (const char *)le, 5,
                                                         SQLITE_TRANSIENT, SQLITE_UTF16LE));
    printf("zeroblob %d\n", sqlite3_bind_zeroblob(stmt, 1, 4));
    if (sqlite3_step(stmt) == SQLITE_ROW)
        show_row(stmt);
    sqlite3_reset(stmt);
    printf("zeroblob negative %d\n", sqlite3_bind_zeroblob(stmt, 1, -5));
    printf("zeroblob64 %d\n", sqlite3_bind_zeroblob64(stmt, 2, 3));
    printf("blob64 NULL %d\n", sqlite3_bind_blob64(stmt, 3, NULL, 3, SQLITE_STATIC));
    if (sqlite3_step(stmt) == SQLITE_ROW)
        show_row(stmt);
    sqlite3_reset(stmt);
    printf("zeroblob range %d\n", sqlite3_bind_zeroblob(stmt, 9, 1));
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 10);
    printf("zeroblob64 too big %d errcode %d\n", sqlite3_bind_zeroblob64(stmt, 1, 11),
           sqlite3_errcode(db));
    printf("blob64 too big %d\n", sqlite3_bind_blob64(stmt, 1, "0123456789ab", 12, SQLITE_STATIC));
    printf("text64 too big %d\n", sqlite3_bind_text64(stmt, 1, "0123456789ab", 12, SQLITE_STATIC,
                                                       SQLITE_UTF8));
    printf("text too big %d\n", sqlite3_bind_text(stmt, 1, "0123456789ab", 12, SQLITE_STATIC));
    printf("blob at limit %d\n", sqlite3_bind_blob(stmt, 1, "0123456789", 10, SQLITE_STATIC));
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1000000000);
    sqlite3_finalize(stmt);
}

static void stmt_busy(sqlite3 *db) {
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2(db, "SELECT 1 UNION ALL SELECT 2", -1, &stmt, NULL);
    printf("busy fresh %d\n", sqlite3_stmt_busy(stmt));
    sqlite3_step(stmt);
    printf("busy after row %d\n", sqlite3_stmt_busy(stmt));
    sqlite3_step(stmt);
    sqlite3_step(stmt);
    printf("busy after done %d\n", sqlite3_stmt_busy(stmt));
    sqlite3_reset(stmt);
    printf("busy after reset %d NULL %d\n", sqlite3_stmt_busy(stmt), sqlite3_stmt_busy(NULL));
    sqlite3_finalize(stmt);
}

static void origins(sqlite3 *db) {
    sqlite3_exec(db, "CREATE TABLE o(id INTEGER PRIMARY KEY, a TEXT, \"B c\" INT);"
                     "CREATE TEMP TABLE tt(z); CREATE VIEW ov AS SELECT a FROM o", 0, 0, 0);
    const char *queries[] = {
        "SELECT rowid, id, a AS x, o.\"B c\", a || 'x', 1 FROM o",
        "SELECT z, oid FROM tt",
        "SELECT * FROM o, tt",
        "SELECT a FROM o UNION SELECT z FROM tt",
        "SELECT count(*), max(a) FROM o",
        "SELECT A, ID FROM o WHERE a IN (SELECT a FROM o)",
        "SELECT * FROM ov",
        "SELECT x.a, y FROM (SELECT a, id + 1 AS y FROM o) AS x",
        "WITH c(p, q) AS (SELECT \"B c\", a FROM o) SELECT q, p, p * 2 FROM c",
        "WITH RECURSIVE r(n) AS (SELECT id FROM o UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
        "SELECT n FROM r",
        "SELECT v.a FROM ov AS v JOIN o USING (a)",
    };
    for (unsigned q = 0; q < sizeof queries / sizeof *queries; q++) {
        sqlite3_stmt *stmt = NULL;
        int rc = sqlite3_prepare_v2(db, queries[q], -1, &stmt, NULL);
        printf("origins of [%s] rc=%d\n", queries[q], rc);
        for (int i = 0; i < sqlite3_column_count(stmt); i++) {
            const char *d = sqlite3_column_database_name(stmt, i);
            const char *t = sqlite3_column_table_name(stmt, i);
            const char *o = sqlite3_column_origin_name(stmt, i);
            const char *type = sqlite3_column_decltype(stmt, i);
            printf("  %d %s.%s.%s %s\n", i, d ? d : "NULL", t ? t : "NULL", o ? o : "NULL",
                   type ? type : "NULL");
        }
        printf("  out of range %s\n", sqlite3_column_table_name(stmt, 99) ? "set" : "NULL");
        sqlite3_finalize(stmt);
    }
}

static sqlite3 *holder;
static int handler_calls;

static int busy_handler(void *arg, int count) {
    handler_calls++;
    printf("  handler arg=%s count=%d\n", (const char *)arg, count);
    if (count == 2 && holder)
        printf("  holder commit %d\n", sqlite3_exec(holder, "COMMIT", 0, 0, 0));
    return count < 5;
}

static int refusing_handler(void *arg, int count) {
    printf("  refusing handler arg=%s count=%d\n", (const char *)arg, count);
    return 0;
}

static void busy(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/busy.db", dir);
    sqlite3 *a = NULL, *b = NULL;
    sqlite3_open(path, &a);
    sqlite3_exec(a, "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES(1)", 0, 0, 0);
    sqlite3_open(path, &b);
    printf("busy_handler set %d\n", sqlite3_busy_handler(b, busy_handler, "h"));
    holder = a;
    printf("holder begin %d\n", sqlite3_exec(a, "BEGIN IMMEDIATE", 0, 0, 0));
    printf("waiter insert %d\n", sqlite3_exec(b, "INSERT INTO t VALUES(2)", 0, 0, 0));
    printf("handler calls %d\n", handler_calls);

    printf("refusing set %d\n", sqlite3_busy_handler(b, refusing_handler, "r"));
    printf("holder begin %d\n", sqlite3_exec(a, "BEGIN IMMEDIATE", 0, 0, 0));
    int rc = sqlite3_exec(b, "INSERT INTO t VALUES(3)", 0, 0, 0);
    printf("waiter insert %d errcode %d msg %s\n", rc, sqlite3_errcode(b), sqlite3_errmsg(b));
    /* A reader that wants to write does not wait: the handler is not called. */
    printf("reader begin %d\n", sqlite3_exec(b, "BEGIN; SELECT count(*) FROM t", 0, 0, 0));
    rc = sqlite3_exec(b, "INSERT INTO t VALUES(4)", 0, 0, 0);
    printf("reader insert %d msg %s\n", rc, sqlite3_errmsg(b));
    printf("reader rollback %d\n", sqlite3_exec(b, "ROLLBACK", 0, 0, 0));
    printf("holder commit %d\n", sqlite3_exec(a, "COMMIT", 0, 0, 0));
    /* busy_timeout replaces the handler, and a NULL handler clears it. */
    printf("timeout %d\n", sqlite3_busy_timeout(b, 10));
    printf("holder begin %d\n", sqlite3_exec(a, "BEGIN IMMEDIATE", 0, 0, 0));
    printf("after timeout insert %d\n", sqlite3_exec(b, "INSERT INTO t VALUES(5)", 0, 0, 0));
    printf("clear %d\n", sqlite3_busy_handler(b, NULL, NULL));
    printf("cleared insert %d\n", sqlite3_exec(b, "INSERT INTO t VALUES(6)", 0, 0, 0));
    printf("holder commit %d\n", sqlite3_exec(a, "COMMIT", 0, 0, 0));
    query(b, "SELECT x FROM t ORDER BY x");
    sqlite3_close(b);
    sqlite3_close(a);
}

static void checkpoints(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/ckpt.db", dir);
    sqlite3 *db = NULL;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
                     "CREATE TABLE t(x); INSERT INTO t VALUES(randomblob(5000))", 0, 0, 0);
    int log = -7, done = -7;
    int rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    printf("passive rc=%d log=%d done=%d\n", rc, log, done);
    sqlite3_exec(db, "INSERT INTO t VALUES(1)", 0, 0, 0);
    rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_FULL, &log, &done);
    printf("full all rc=%d log=%d done=%d\n", rc, log, done);
    rc = sqlite3_wal_checkpoint_v2(db, "", SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
    printf("truncate rc=%d log=%d done=%d\n", rc, log, done);
    rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    printf("restart NULL outputs rc=%d\n", rc);
    log = done = -7;
    rc = sqlite3_wal_checkpoint_v2(db, "nosuch", SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    printf("unknown rc=%d log=%d done=%d msg=%s\n", rc, log, done, sqlite3_errmsg(db));
    rc = sqlite3_wal_checkpoint_v2(db, "main", 99, &log, &done);
    printf("bad mode rc=%d\n", rc);
    printf("wal_checkpoint rc=%d\n", sqlite3_wal_checkpoint(db, "main"));
    printf("autocheckpoint rc=%d\n", sqlite3_wal_autocheckpoint(db, 50));
    query(db, "PRAGMA wal_autocheckpoint");
    /* A reader holding a snapshot makes a RESTART busy. */
    sqlite3 *reader = NULL;
    sqlite3_open(path, &reader);
    sqlite3_exec(db, "INSERT INTO t VALUES(2)", 0, 0, 0);
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2(reader, "SELECT count(*) FROM t", -1, &stmt, NULL);
    sqlite3_step(stmt);
    sqlite3_exec(db, "INSERT INTO t VALUES(3)", 0, 0, 0);
    rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_RESTART, &log, &done);
    printf("restart with reader rc=%d log=%d done=%d\n", rc, log, done);
    sqlite3_finalize(stmt);
    sqlite3_close(reader);
    sqlite3_close(db);

    sqlite3_open(":memory:", &db);
    log = done = -7;
    rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    printf("memory rc=%d log=%d done=%d\n", rc, log, done);
    sqlite3_close(db);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: more_test SCRATCH_DIR\n");
        return 2;
    }
    printf("sourceid: %s\n", sqlite3_sourceid());
    sqlite3 *db = NULL;
    sqlite3_open(":memory:", &db);
    legacy_prepare(db);
    binds(db);
    stmt_busy(db);
    origins(db);
    sqlite3_close(db);
    busy(argv[1]);
    checkpoints(argv[1]);
    return 0;
}
