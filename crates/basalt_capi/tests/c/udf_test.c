/*
 * Application-defined functions, collations and hooks through the public C API, printing a
 * transcript; linked against Basalt's libsqlite3 and against real SQLite, the transcripts must
 * be equal (tests/c_api.rs). argv[1] is a scratch directory.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;
static int destroyed, aux_destroyed, commits, rollbacks, progress_calls;
static int veto_commit, stop_progress;

static void out(const char *label, int rc) {
    printf("%s: rc=%d errcode=%d ext=%d errmsg=%s\n", label, rc, sqlite3_errcode(db),
           sqlite3_extended_errcode(db), sqlite3_errmsg(db));
}

static void query(const char *sql) {
    sqlite3_stmt *stmt = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, 0);
    printf("query %s\n", sql);
    if (rc != SQLITE_OK) {
        out("  prepare", rc);
        return;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        printf("  row:");
        for (int i = 0; i < sqlite3_data_count(stmt); i++) {
            const unsigned char *t = sqlite3_column_text(stmt, i);
            printf(" %d:%s", sqlite3_column_type(stmt, i), t ? (const char *)t : "NULL");
        }
        printf("\n");
    }
    printf("  end rc=%d\n", rc);
    out("  finalize", sqlite3_finalize(stmt));
}

static void exec(const char *sql) {
    char *err = 0;
    int rc = sqlite3_exec(db, sql, 0, 0, &err);
    printf("exec %s: rc=%d err=%s\n", sql, rc, err ? err : "(null)");
    sqlite3_free(err);
}

/* describe(x...): every argument's type, numeric type, bytes, int, double and text. */
static void describe(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    char buf[2048];
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < argc; i++) {
        sqlite3_value *v = argv[i];
        int type = sqlite3_value_type(v);
        const unsigned char *text = sqlite3_value_text(v);
        int bytes = sqlite3_value_bytes(v);
        at += snprintf(buf + at, sizeof buf - at, "[%d %d %lld %.3f %s %d]", type, bytes,
                       sqlite3_value_int64(v), sqlite3_value_double(v),
                       text ? (const char *)text : "NULL", sqlite3_value_type(v));
        if (at >= sizeof buf) break;
    }
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void numeric(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    int t = sqlite3_value_numeric_type(argv[0]);
    sqlite3_result_int(ctx, t * 10 + sqlite3_value_type(argv[0]));
}

static void twice(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    switch (sqlite3_value_type(argv[0])) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, 2 * sqlite3_value_int64(argv[0])); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, 2 * sqlite3_value_double(argv[0])); break;
    case SQLITE_NULL: sqlite3_result_null(ctx); break;
    case SQLITE_BLOB: {
        int n = sqlite3_value_bytes(argv[0]);
        const unsigned char *b = sqlite3_value_blob(argv[0]);
        unsigned char *d = malloc(2 * n + 1);
        if (n) { memcpy(d, b, n); memcpy(d + n, b, n); }
        sqlite3_result_blob(ctx, d, 2 * n, free);
        break;
    }
    default: {
        const char *s = (const char *)sqlite3_value_text(argv[0]);
        size_t n = strlen(s);
        char *d = malloc(2 * n + 1);
        memcpy(d, s, n);
        memcpy(d + n, s, n + 1);
        sqlite3_result_text(ctx, d, -1, free);
    }
    }
}

static void fail(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    int mode = argc ? sqlite3_value_int(argv[0]) : 0;
    switch (mode) {
    case 0: sqlite3_result_error(ctx, "custom failure", -1); break;
    case 1: sqlite3_result_error(ctx, "cut here", 3); break;
    case 2: sqlite3_result_error_code(ctx, SQLITE_CONSTRAINT); break;
    case 3: sqlite3_result_error_nomem(ctx); break;
    case 4: sqlite3_result_error_toobig(ctx); break;
    case 5: sqlite3_result_error(ctx, "with code", -1); sqlite3_result_error_code(ctx, SQLITE_BUSY); break;
    default: sqlite3_result_zeroblob(ctx, mode); break;
    }
}

static void value_copy(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    sqlite3_value *dup = sqlite3_value_dup(argv[argc - 1]);
    sqlite3_result_value(ctx, dup);
    sqlite3_value_free(dup);
}

static void with_nul(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc; (void)argv;
    sqlite3_result_text(ctx, "a\0b", 3, SQLITE_STATIC);
}

/* regexp(pattern, text): whether text contains pattern (a stand-in for a regex engine). */
static void contains(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    const char *pattern = (const char *)sqlite3_value_text(argv[0]);
    const char *text = (const char *)sqlite3_value_text(argv[1]);
    if (!pattern || !text) { sqlite3_result_null(ctx); return; }
    sqlite3_result_int(ctx, strstr(text, pattern) != 0);
}

static void user_data_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc; (void)argv;
    const char *tag = sqlite3_user_data(ctx);
    int same_db = sqlite3_context_db_handle(ctx) == db;
    char buf[64];
    snprintf(buf, sizeof buf, "%s/%d", tag, same_db);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void count_destroy(void *p) { (void)p; destroyed++; }
static void aux_free(void *p) { aux_destroyed++; free(p); }

/* cached(pattern, x): keeps a copy of its constant first argument as aux data; returns whether
 * it was found cached, and x. */
static void cached(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    char *saved = sqlite3_get_auxdata(ctx, 0);
    int hit = saved != 0;
    if (!saved) {
        const char *p = (const char *)sqlite3_value_text(argv[0]);
        saved = malloc(strlen(p) + 1);
        strcpy(saved, p);
        sqlite3_set_auxdata(ctx, 0, saved, aux_free);
    }
    sqlite3_result_int(ctx, hit * 1000 + sqlite3_value_int(argv[1]));
}

struct acc { long long sum; int n; };

static void acc_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    struct acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
    a->sum += sqlite3_value_int64(argv[0]);
    a->n += argc;
    if (a->sum > 1000) sqlite3_result_error(ctx, "sum too large", -1);
}

static void acc_final(sqlite3_context *ctx) {
    struct acc *a = sqlite3_aggregate_context(ctx, 0);
    if (!a) { sqlite3_result_text(ctx, "empty", -1, SQLITE_STATIC); return; }
    char buf[64];
    snprintf(buf, sizeof buf, "%lld/%d", a->sum, a->n);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* An aggregate window function: a running integer sum that can undo a row. */
static void win_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    struct acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
    a->sum += sqlite3_value_int64(argv[0]);
    a->n++;
}

static void win_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    struct acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
    a->sum -= sqlite3_value_int64(argv[0]);
    a->n--;
    if (a->sum < -100) sqlite3_result_error(ctx, "inverse went too far", -1);
}

static void win_value(sqlite3_context *ctx) {
    struct acc *a = sqlite3_aggregate_context(ctx, 0);
    if (!a || a->n == 0) { sqlite3_result_null(ctx); return; }
    sqlite3_result_int64(ctx, a->sum);
}

static int reverse_cmp(void *arg, int n1, const void *p1, int n2, const void *p2) {
    (void)arg;
    int n = n1 < n2 ? n1 : n2;
    int c = memcmp(p1, p2, n);
    if (c == 0) c = n1 - n2;
    return -c;
}

/* Orders by length first, then bytes. */
static int length_cmp(void *arg, int n1, const void *p1, int n2, const void *p2) {
    (void)arg;
    if (n1 != n2) return n1 - n2;
    return memcmp(p1, p2, n1);
}

static int commit_hook(void *arg) {
    (void)arg;
    commits++;
    return veto_commit;
}

static void rollback_hook(void *arg) { (void)arg; rollbacks++; }

static void update_hook(void *arg, int op, const char *dbname, const char *table, sqlite3_int64 rowid) {
    printf("  update hook: %s op=%d %s.%s rowid=%lld\n", (const char *)arg, op, dbname, table, rowid);
}

static int progress(void *arg) {
    (void)arg;
    progress_calls++;
    return stop_progress;
}

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    out("open", sqlite3_open(":memory:", &db));

    out("create describe", sqlite3_create_function(db, "describe", -1, SQLITE_UTF8, 0, describe, 0, 0));
    query("SELECT describe(1, 2.5, 'abc', x'00ff', NULL, '12', ' 3.0 ', -0.0, 9223372036854775807)");
    out("create numeric", sqlite3_create_function(db, "numeric", 1, SQLITE_UTF8, 0, numeric, 0, 0));
    query("SELECT numeric('12'), numeric('1.5'), numeric('x'), numeric(3), numeric(NULL), numeric(x'31')");
    out("create twice", sqlite3_create_function_v2(db, "twice", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, 0, twice, 0, 0, count_destroy));
    query("SELECT twice(21), twice(1.25), twice('ab'), hex(twice(x'0102')), twice(NULL), typeof(twice(x''))");
    query("SELECT twice(1, 2)");
    query("SELECT TWICE(4)");
    query("SELECT nosuch(1)");

    /* Overriding a built-in and removing the override. */
    out("override upper", sqlite3_create_function(db, "upper", 1, SQLITE_UTF8, 0, twice, 0, 0));
    query("SELECT upper('ab'), lower('AB')");
    out("remove upper", sqlite3_create_function(db, "upper", 1, SQLITE_UTF8, 0, 0, 0, 0));
    query("SELECT upper('ab')");
    out("upper for 2 args", sqlite3_create_function(db, "upper", 2, SQLITE_UTF8, 0, twice, 0, 0));
    query("SELECT upper('ab')");
    query("SELECT upper('ab', 'c')");
    out("remove never defined", sqlite3_create_function(db, "gone", 0, SQLITE_UTF8, 0, 0, 0, 0));
    query("SELECT gone()");
    query("SELECT gone(1)");

    /* Any argument count vs an exact one. */
    out("anyargs", sqlite3_create_function(db, "pick", -1, SQLITE_UTF8, "any", user_data_fn, 0, 0));
    out("exact", sqlite3_create_function(db, "pick", 1, SQLITE_UTF8, "one", user_data_fn, 0, 0));
    query("SELECT pick(), pick(1), pick(1, 2)");

    /* Errors. */
    out("create fail", sqlite3_create_function(db, "fail", -1, SQLITE_UTF8, 0, fail, 0, 0));
    for (int mode = 0; mode <= 7; mode++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT length(fail(%d))", mode);
        query(sql);
    }
    query("SELECT fail()");
    exec("CREATE TABLE t(a INTEGER, b TEXT)");
    exec("INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')");
    exec("CREATE INDEX nondet ON t(a) WHERE pick() IS NOT NULL");
    exec("CREATE INDEX nondet ON t(pick(a))");
    exec("CREATE INDEX det ON t(a) WHERE twice(a) > 0");
    exec("DROP INDEX det");
    exec("BEGIN; INSERT INTO t VALUES (4, 'w'); INSERT INTO t VALUES (fail(), 'v')");
    query("SELECT count(*) FROM t");
    exec("COMMIT");

    /* REGEXP and MATCH call the application's regexp() and match(). */
    query("SELECT 'abc' REGEXP 'b'");
    out("create regexp", sqlite3_create_function(db, "regexp", 2, SQLITE_UTF8, 0, contains, 0, 0));
    query("SELECT 'abc' REGEXP 'b', 'abc' NOT REGEXP 'x', NULL REGEXP 'a'");
    query("SELECT b FROM t WHERE b REGEXP 'y'");

    /* Values in and out. */
    out("create with_nul", sqlite3_create_function(db, "with_nul", 0, SQLITE_UTF8, 0, with_nul, 0, 0));
    query("SELECT length(with_nul()), hex(with_nul()), octet_length(with_nul())");
    out("create copy", sqlite3_create_function(db, "copy", -1, SQLITE_UTF8, 0, value_copy, 0, 0));
    query("SELECT copy(1), copy(2.5), copy('t'), hex(copy(x'ab')), copy(NULL), typeof(copy(1, 'x'))");
    query("SELECT a, twice(b), copy(a, b) FROM t WHERE twice(a) > 2 ORDER BY twice(a) DESC");

    /* Aux data: a constant argument keeps its data from row to row. */
    out("create cached", sqlite3_create_function(db, "cached", 2, SQLITE_UTF8, 0, cached, 0, 0));
    query("SELECT cached('p', a) FROM t ORDER BY a");
    printf("aux destroyed: %d\n", aux_destroyed);

    /* Aggregates. */
    out("create acc", sqlite3_create_function(db, "acc", -1, SQLITE_UTF8, 0, 0, acc_step, acc_final));
    query("SELECT acc(a) FROM t");
    query("SELECT acc(a, b) FROM t WHERE a > 100");
    query("SELECT b, acc(a) FROM t GROUP BY b ORDER BY b");
    query("SELECT acc(a * 400) FROM t");
    query("SELECT acc(x) FROM (SELECT NULL AS x)");
    out("bad combination", sqlite3_create_function(db, "bad", 1, SQLITE_UTF8, 0, twice, acc_step, 0));
    out("bad count", sqlite3_create_function(db, "bad", 200, SQLITE_UTF8, 0, twice, 0, 0));

    /* Collations. */
    out("create rev", sqlite3_create_collation(db, "rev", SQLITE_UTF8, 0, reverse_cmp));
    query("SELECT b FROM t ORDER BY b COLLATE rev");
    query("SELECT 'a' < 'b' COLLATE rev, 'a' = 'A' COLLATE rev");
    out("create bylen", sqlite3_create_collation_v2(db, "bylen", SQLITE_UTF8, 0, length_cmp, count_destroy));
    exec("CREATE TABLE w(s TEXT COLLATE bylen)");
    exec("INSERT INTO w VALUES ('ccc'), ('a'), ('bb'), ('dd'), ('a')");
    query("SELECT s FROM w ORDER BY s");
    query("SELECT DISTINCT s FROM w ORDER BY 1");
    query("SELECT s, count(*) FROM w GROUP BY s ORDER BY s");
    exec("CREATE INDEX w_s ON w(s)");
    query("SELECT s FROM w WHERE s = 'xx'");
    query("SELECT s FROM w ORDER BY s COLLATE binary");
    query("SELECT s FROM w ORDER BY s COLLATE nosuch");
    out("remove bylen", sqlite3_create_collation(db, "bylen", SQLITE_UTF8, 0, 0));
    printf("destroyed: %d\n", destroyed);
    exec("SELECT s FROM w ORDER BY s");

    /* Hooks. */
    sqlite3_commit_hook(db, commit_hook, 0);
    sqlite3_rollback_hook(db, rollback_hook, 0);
    exec("INSERT INTO t VALUES (10, 'h')");
    exec("SELECT * FROM t");
    exec("BEGIN; INSERT INTO t VALUES (11, 'i'); ROLLBACK");
    exec("BEGIN; ROLLBACK");
    veto_commit = 1;
    exec("INSERT INTO t VALUES (12, 'j')");
    exec("BEGIN; INSERT INTO t VALUES (13, 'k'); COMMIT");
    printf("autocommit: %d\n", sqlite3_get_autocommit(db));
    veto_commit = 0;
    query("SELECT count(*) FROM t");
    printf("commits=%d rollbacks=%d\n", commits, rollbacks);
    printf("previous commit arg: %p\n", sqlite3_commit_hook(db, 0, 0));
    sqlite3_rollback_hook(db, 0, 0);

    printf("previous update arg: %p\n", sqlite3_update_hook(db, update_hook, "u1"));
    exec("CREATE TABLE h(x INTEGER PRIMARY KEY, y UNIQUE)");
    exec("INSERT INTO h VALUES (1, 'a'), (2, 'b'), (5, 'c')");
    exec("INSERT INTO h(y) VALUES ('d')");
    exec("UPDATE h SET y = y || '!' WHERE x > 1");
    exec("UPDATE h SET x = x + 10 WHERE x = 1");
    exec("INSERT OR REPLACE INTO h VALUES (2, 'z')");
    exec("REPLACE INTO h VALUES (7, 'z')");
    exec("INSERT INTO h VALUES (8, 'e')");
    exec("DELETE FROM h WHERE x > 7");
    exec("CREATE TEMP TABLE tt(v)");
    exec("INSERT INTO tt VALUES (1)");
    exec("CREATE TABLE ai(id INTEGER PRIMARY KEY AUTOINCREMENT, v)");
    exec("INSERT INTO ai(v) VALUES (1)");
    exec("DELETE FROM h");
    exec("BEGIN; INSERT INTO h VALUES (30, 'r'); ROLLBACK");
    printf("previous update arg: %s\n", (const char *)sqlite3_update_hook(db, 0, 0));
    exec("INSERT INTO h VALUES (31, 's')");

    sqlite3_progress_handler(db, 1, progress, 0);
    query("SELECT count(*) FROM t");
    printf("progress called: %d\n", progress_calls > 0);
    stop_progress = 1;
    query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c");
    sqlite3_progress_handler(db, 0, 0, 0);
    query("SELECT count(*) FROM t");

    /* Redefining a function while a statement uses it is refused. */
    sqlite3_stmt *stmt = 0;
    sqlite3_prepare_v2(db, "SELECT twice(a) FROM t ORDER BY a", -1, &stmt, 0);
    printf("step: %d %s\n", sqlite3_step(stmt), sqlite3_column_text(stmt, 0));
    out("redefine busy", sqlite3_create_function(db, "twice", 1, SQLITE_UTF8, 0, describe, 0, 0));
    sqlite3_reset(stmt);
    out("redefine", sqlite3_create_function(db, "twice", 1, SQLITE_UTF8, 0, describe, 0, 0));
    printf("step: %d %s\n", sqlite3_step(stmt), sqlite3_column_text(stmt, 0));
    sqlite3_value *cv = sqlite3_column_value(stmt, 0);
    printf("column value type=%d bytes=%d\n", sqlite3_value_type(cv), sqlite3_value_bytes(cv));
    sqlite3_finalize(stmt);
    printf("destroyed: %d\n", destroyed);

    sqlite3_prepare_v2(db, "SELECT typeof(?1), ?1", -1, &stmt, 0);
    sqlite3_stmt *src = 0;
    sqlite3_prepare_v2(db, "SELECT 2.5", -1, &src, 0);
    sqlite3_step(src);
    printf("bind_value: %d\n", sqlite3_bind_value(stmt, 1, sqlite3_column_value(src, 0)));
    sqlite3_finalize(src);
    printf("step: %d %s %s\n", sqlite3_step(stmt), sqlite3_column_text(stmt, 0), sqlite3_column_text(stmt, 1));
    sqlite3_finalize(stmt);

    /* Window functions: the application's, and aggregates used with OVER. */
    out("create winsum", sqlite3_create_window_function(db, "winsum", 1, SQLITE_UTF8, 0, win_step, win_value, win_value, win_inverse, count_destroy));
    query("SELECT a, winsum(a) OVER (ORDER BY a ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t ORDER BY a");
    query("SELECT a, winsum(a) OVER (ORDER BY a), winsum(a) OVER (ORDER BY a RANGE BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) FROM t ORDER BY a");
    query("SELECT a, winsum(a) OVER (ORDER BY a DESC ROWS 2 PRECEDING) FROM t ORDER BY a");
    query("SELECT winsum(a), winsum(a) FILTER (WHERE a > 1) OVER () FROM t");
    query("SELECT acc(a) OVER () FROM t");
    query("SELECT twice(a) OVER () FROM t");
    out("window without inverse", sqlite3_create_window_function(db, "half", 1, SQLITE_UTF8, 0, win_step, win_value, win_value, 0, 0));
    out("window as aggregate", sqlite3_create_window_function(db, "plain", 1, SQLITE_UTF8, 0, win_step, win_value, 0, 0, 0));
    query("SELECT plain(a) FROM t");
    query("SELECT plain(a) OVER () FROM t");
    out("remove winsum", sqlite3_create_window_function(db, "winsum", 1, SQLITE_UTF8, 0, 0, 0, 0, 0, 0));
    query("SELECT winsum(a) OVER () FROM t");
    printf("destroyed: %d\n", destroyed);

    printf("close: rc=%d\n", sqlite3_close(db));
    printf("destroyed after close: %d\n", destroyed);
    printf("sourceid: %s\n", sqlite3_sourceid());
    return 0;
}
