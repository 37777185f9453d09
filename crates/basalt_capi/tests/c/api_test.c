/*
 * Exercises Basalt's libsqlite3 through the public C API only, printing a transcript of every
 * result, return code and message. The same program is linked against real SQLite; the two
 * transcripts must be equal byte for byte (tests/c_api.rs). argv[1] is a scratch directory.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;
static int destructor_calls;

static void out(const char *label, int rc) {
    printf("%s: rc=%d errcode=%d ext=%d errmsg=%s\n", label, rc, sqlite3_errcode(db),
           sqlite3_extended_errcode(db), sqlite3_errmsg(db));
}

static void count_destructor(void *p) {
    (void)p;
    destructor_calls++;
}

/* Prints every row of a statement, one line per row, with each column's type and text. */
static void print_rows(sqlite3_stmt *stmt) {
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int n = sqlite3_data_count(stmt);
        printf("  row:");
        for (int i = 0; i < n; i++) {
            int type = sqlite3_column_type(stmt, i);
            const unsigned char *text = sqlite3_column_text(stmt, i);
            printf(" %s=%d:%s(%d)", sqlite3_column_name(stmt, i), type,
                   text ? (const char *)text : "NULL", sqlite3_column_bytes(stmt, i));
        }
        printf("\n");
    }
    printf("  end rc=%d data_count=%d\n", rc, sqlite3_data_count(stmt));
}

static void query(const char *sql) {
    sqlite3_stmt *stmt = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, 0);
    printf("query %s\n", sql);
    if (rc != SQLITE_OK) {
        out("  prepare", rc);
        return;
    }
    print_rows(stmt);
    out("  finalize", sqlite3_finalize(stmt));
}

static void exec(const char *sql) {
    char *err = 0;
    int rc = sqlite3_exec(db, sql, 0, 0, &err);
    printf("exec %s: rc=%d err=%s changes=%d total=%d\n", sql, rc, err ? err : "(null)",
           sqlite3_changes(db), sqlite3_total_changes(db));
    sqlite3_free(err);
}

static void constants(void) {
    printf("codes %d %d %d %d %d %d %d %d %d %d\n", SQLITE_OK, SQLITE_ERROR, SQLITE_MISUSE,
           SQLITE_RANGE, SQLITE_ROW, SQLITE_DONE, SQLITE_CONSTRAINT, SQLITE_CANTOPEN, SQLITE_NOTADB,
           SQLITE_WARNING);
    printf("extended %d %d %d %d %d %d %d %d\n", SQLITE_ABORT_ROLLBACK, SQLITE_CONSTRAINT_CHECK,
           SQLITE_CONSTRAINT_FOREIGNKEY, SQLITE_CONSTRAINT_NOTNULL, SQLITE_CONSTRAINT_PRIMARYKEY,
           SQLITE_CONSTRAINT_TRIGGER, SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_ROWID);
    printf("open flags %x %x %x %x %x %x %x %x %x %x %x\n", SQLITE_OPEN_READONLY,
           SQLITE_OPEN_READWRITE, SQLITE_OPEN_CREATE, SQLITE_OPEN_URI, SQLITE_OPEN_MEMORY,
           SQLITE_OPEN_NOMUTEX, SQLITE_OPEN_FULLMUTEX, SQLITE_OPEN_SHAREDCACHE,
           SQLITE_OPEN_PRIVATECACHE, SQLITE_OPEN_NOFOLLOW, SQLITE_OPEN_EXRESCODE);
    printf("prepare flags %x %x %x\n", SQLITE_PREPARE_PERSISTENT, SQLITE_PREPARE_NORMALIZE,
           SQLITE_PREPARE_NO_VTAB);
    printf("types %d %d %d %d %d %d utf8 %d\n", SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT,
           SQLITE_BLOB, SQLITE_NULL, SQLITE3_TEXT, SQLITE_UTF8);
    printf("version %s %d %s %d threadsafe %d\n", sqlite3_libversion(), sqlite3_libversion_number(),
           SQLITE_VERSION, SQLITE_VERSION_NUMBER, sqlite3_threadsafe());
    printf("sourceid matches header: %d\n", strcmp(sqlite3_sourceid(), SQLITE_SOURCE_ID) == 0);
    for (int rc = 0; rc <= 30; rc++) printf("errstr %d %s\n", rc, sqlite3_errstr(rc));
    int more[] = {100, 101, 516, 275, 1299, 2067, 999};
    for (int i = 0; i < 7; i++) printf("errstr %d %s\n", more[i], sqlite3_errstr(more[i]));
}

static void complete(void) {
    const char *cases[] = {"select 1", "select 1;", "select 1; -- c", "select ';'",
                           "select 1 /* ; */", "create trigger t after insert on x begin select 1;",
                           "create trigger t after insert on x begin select 1; end;", ";", "",
                           "select \"a;\";"};
    for (int i = 0; i < 10; i++) printf("complete [%s] %d\n", cases[i], sqlite3_complete(cases[i]));
}

static void memory(void) {
    char *p = sqlite3_malloc(0);
    printf("malloc(0) null: %d\n", p == 0);
    printf("malloc(-1) null: %d\n", sqlite3_malloc(-1) == 0);
    printf("malloc64(0) null: %d\n", sqlite3_malloc64(0) == 0);
    p = sqlite3_malloc(6);
    memcpy(p, "hello", 6);
    p = sqlite3_realloc(p, 100000);
    printf("realloc kept: %s\n", p);
    printf("realloc(p, 0) null: %d\n", sqlite3_realloc(p, 0) == 0);
    p = sqlite3_realloc(0, 8);
    printf("realloc(NULL, 8) non-null: %d\n", p != 0);
    sqlite3_free(p);
    sqlite3_free(0);
}

static void null_handles(void) {
    printf("finalize(NULL) %d close(NULL) %d close_v2(NULL) %d\n", sqlite3_finalize(0),
           sqlite3_close(0), sqlite3_close_v2(0));
    printf("errmsg(NULL) %s errcode(NULL) %d ext(NULL) %d\n", sqlite3_errmsg(0),
           sqlite3_errcode(0), sqlite3_extended_errcode(0));
    printf("reset(NULL) %d column_count(NULL) %d data_count(NULL) %d\n", sqlite3_reset(0),
           sqlite3_column_count(0), sqlite3_data_count(0));
    printf("sql(NULL) null %d db_handle(NULL) null %d\n", sqlite3_sql(0) == 0,
           sqlite3_db_handle(0) == 0);
    sqlite3_stmt *stmt = (sqlite3_stmt *)1;
    int rc = sqlite3_prepare_v2(db, 0, -1, &stmt, 0);
    printf("prepare(db, NULL) %d stmt null %d\n", rc, stmt == 0);
}

static void prepare_and_tail(void) {
    const char *sql = "SELECT 1; SELECT 2;  ";
    const char *tail = 0;
    sqlite3_stmt *stmt = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, &tail);
    printf("prepare two: rc=%d tail=%d sql=[%s] readonly=%d same db=%d\n", rc, (int)(tail - sql),
           sqlite3_sql(stmt), sqlite3_stmt_readonly(stmt), sqlite3_db_handle(stmt) == db);
    print_rows(stmt);
    sqlite3_finalize(stmt);
    rc = sqlite3_prepare_v2(db, tail, -1, &stmt, &tail);
    printf("prepare rest: rc=%d tail=%d sql=[%s]\n", rc, (int)(tail - sql), sqlite3_sql(stmt));
    sqlite3_finalize(stmt);
    rc = sqlite3_prepare_v2(db, tail, -1, &stmt, &tail);
    printf("prepare blank: rc=%d stmt null=%d tail=%d\n", rc, stmt == 0, (int)(tail - sql));
    rc = sqlite3_prepare_v2(db, "  -- nothing\n", -1, &stmt, 0);
    printf("prepare comment: rc=%d stmt null=%d\n", rc, stmt == 0);
    const char *partial = "SELECT 42 AS answer, 'x' junk";
    rc = sqlite3_prepare_v3(db, partial, 9, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    printf("prepare_v3 nByte=9: rc=%d tail=%d columns=%d\n", rc, (int)(tail - partial),
           sqlite3_column_count(stmt));
    print_rows(stmt);
    sqlite3_finalize(stmt);
    rc = sqlite3_prepare_v2(db, "SELEC 1", -1, &stmt, 0);
    out("syntax error", rc);
    printf("  stmt null=%d\n", stmt == 0);
    out("no such table", sqlite3_prepare_v2(db, "SELECT * FROM nope", -1, &stmt, 0));
    out("no such column", sqlite3_prepare_v2(db, "SELECT nope", -1, &stmt, 0));
    out("after successful prepare", sqlite3_prepare_v2(db, "SELECT 1", -1, &stmt, 0));
    sqlite3_finalize(stmt);
}

static void values_and_conversions(void) {
    exec("CREATE TABLE v(i INTEGER, r REAL, t TEXT, b BLOB, n)");
    exec("INSERT INTO v VALUES(42, 2.5, '12abc', x'00ff41', NULL)");
    exec("INSERT INTO v VALUES(-7, 1e100, 'héllo', x'', 0.1)");
    query("SELECT * FROM v");
    sqlite3_stmt *stmt;
    sqlite3_prepare_v2(db, "SELECT i, r, t, b, n FROM v ORDER BY i DESC", -1, &stmt, 0);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        for (int c = 0; c < 5; c++) {
            const unsigned char *blob = sqlite3_column_blob(stmt, c);
            int bytes = sqlite3_column_bytes(stmt, c);
            printf("  col %d type=%d int=%d int64=%lld double=%.17g bytes=%d blob=", c,
                   sqlite3_column_type(stmt, c), sqlite3_column_int(stmt, c),
                   sqlite3_column_int64(stmt, c), sqlite3_column_double(stmt, c), bytes);
            if (!blob) printf("NULL");
            for (int k = 0; blob && k < bytes; k++) printf("%02x", blob[k]);
            printf("\n");
        }
        /* The text pointer stays valid across other calls on the same row. */
        const unsigned char *t = sqlite3_column_text(stmt, 2);
        sqlite3_column_int(stmt, 0);
        sqlite3_column_text(stmt, 1);
        printf("  text still: %s\n", t);
        printf("  column 9: type=%d text null=%d", sqlite3_column_type(stmt, 9),
               sqlite3_column_text(stmt, 9) == 0);
        out("", 0);
    }
    sqlite3_finalize(stmt);
    query("SELECT 9223372036854775807, -9223372036854775808, 3000000000, 1.0/3, 100.0, 1e300*1e300");
}

static void bindings(void) {
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(db, "SELECT ?, :a, @b, $c, ?5, typeof(?5)", -1, &stmt, 0);
    printf("bind prepare rc=%d count=%d\n", rc, sqlite3_bind_parameter_count(stmt));
    for (int i = 0; i <= 6; i++) {
        const char *name = sqlite3_bind_parameter_name(stmt, i);
        printf("  name %d %s\n", i, name ? name : "NULL");
    }
    const char *names[] = {":a", "@b", "$c", "?5", "a", ":zz"};
    for (int i = 0; i < 6; i++)
        printf("  index %s %d\n", names[i], sqlite3_bind_parameter_index(stmt, names[i]));
    out("bind 0", sqlite3_bind_int(stmt, 0, 1));
    out("bind 6", sqlite3_bind_int(stmt, 6, 1));
    out("bind -1", sqlite3_bind_null(stmt, -1));
    out("bind int", sqlite3_bind_int(stmt, 1, 7));
    char buf[] = "transient";
    rc = sqlite3_bind_text(stmt, 2, buf, -1, SQLITE_TRANSIENT);
    buf[0] = 'X';
    out("bind text transient", rc);
    out("bind text static n=3", sqlite3_bind_text(stmt, 3, "static", 3, SQLITE_STATIC));
    char *heap = malloc(4);
    memcpy(heap, "dyn", 4);
    out("bind text destructor", sqlite3_bind_text(stmt, 4, heap, -1, count_destructor));
    out("bind blob", sqlite3_bind_blob(stmt, 5, "\x01\x02\x03", 3, SQLITE_TRANSIENT));
    print_rows(stmt);
    out("bind while halted", sqlite3_bind_int(stmt, 1, 1));
    out("reset", sqlite3_reset(stmt));
    out("bind double", sqlite3_bind_double(stmt, 1, 0.5));
    out("bind int64", sqlite3_bind_int64(stmt, 5, 1LL << 40));
    out("bind text null ptr", sqlite3_bind_text(stmt, 2, 0, 5, SQLITE_STATIC));
    print_rows(stmt);
    sqlite3_reset(stmt);
    out("clear_bindings", sqlite3_clear_bindings(stmt));
    out("bind text with nul n=5", sqlite3_bind_text(stmt, 3, "ab\0cd", 5, SQLITE_TRANSIENT));
    print_rows(stmt);
    sqlite3_reset(stmt);
    sqlite3_step(stmt);
    out("bind while running", sqlite3_bind_int(stmt, 1, 1));
    sqlite3_finalize(stmt);
    free(heap);
    printf("destructor called: %d\n", destructor_calls > 0);
}

static int exec_rows;
static int exec_callback(void *arg, int n, char **values, char **names) {
    printf("  callback %s:", (const char *)arg);
    for (int i = 0; i < n; i++) printf(" %s=%s", names[i], values[i] ? values[i] : "NULL");
    printf("\n");
    return ++exec_rows >= 3;
}

static void exec_paths(void) {
    char *err = 0;
    int rc = sqlite3_exec(db, "CREATE TABLE e(a, b); INSERT INTO e VALUES(1, NULL), (2, 'x');"
                              "SELECT * FROM e; SELECT count(*) AS n FROM e;",
                          exec_callback, "cb", &err);
    printf("exec with callback rc=%d err=%s\n", rc, err ? err : "(null)");
    rc = sqlite3_exec(db, "INSERT INTO e VALUES(3, 3); SELECT * FROM e; INSERT INTO e VALUES(9, 9)",
                      exec_callback, "stop", &err);
    printf("exec aborted rc=%d err=%s\n", rc, err ? err : "(null)");
    sqlite3_free(err);
    out("after abort", rc);
    query("SELECT count(*) FROM e");
    rc = sqlite3_exec(db, "SELECT 1; SELEC 2; SELECT 3", exec_callback, "err", &err);
    printf("exec error rc=%d err=%s\n", rc, err ? err : "(null)");
    sqlite3_free(err);
    rc = sqlite3_exec(db, "", 0, 0, &err);
    printf("exec empty rc=%d err null=%d\n", rc, err == 0);
}

static void step_one(sqlite3_stmt *stmt, const char *label) {
    int rc = sqlite3_step(stmt);
    out(label, rc);
    out("  reset", sqlite3_reset(stmt));
}

static void constraints(void) {
    exec("CREATE TABLE c(id INTEGER PRIMARY KEY, u UNIQUE, nn NOT NULL, ck CHECK (ck > 0))");
    exec("CREATE TABLE r(x)");
    exec("CREATE TABLE p(a TEXT PRIMARY KEY, b)");
    exec("INSERT INTO c VALUES(1, 'a', 1, 1)");
    exec("INSERT INTO r(rowid, x) VALUES(1, 1)");
    exec("INSERT INTO p VALUES('k', 1)");
    const char *cases[] = {
        "INSERT INTO c VALUES(1, 'b', 1, 1)", "INSERT INTO c VALUES(2, 'a', 1, 1)",
        "INSERT INTO c VALUES(3, 'c', NULL, 1)", "INSERT INTO c VALUES(4, 'd', 1, 0)",
        "INSERT INTO r(rowid, x) VALUES(1, 2)", "INSERT INTO p VALUES('k', 2)",
    };
    for (int i = 0; i < 6; i++) {
        sqlite3_stmt *stmt;
        sqlite3_prepare_v2(db, cases[i], -1, &stmt, 0);
        printf("%s\n", cases[i]);
        step_one(stmt, "  step");
        sqlite3_step(stmt);
        out("  finalize after failed step", sqlite3_finalize(stmt));
    }
    exec("CREATE UNIQUE INDEX cu ON c(nn)");
    exec("INSERT INTO c VALUES(5, 'e', 1, 1)");
    exec("CREATE UNIQUE INDEX cu ON c(nn)");
    printf("changes after failures %d last rowid %lld\n", sqlite3_changes(db),
           sqlite3_last_insert_rowid(db));
}

static void transactions(void) {
    printf("autocommit %d\n", sqlite3_get_autocommit(db));
    exec("BEGIN");
    printf("autocommit in txn %d\n", sqlite3_get_autocommit(db));
    exec("INSERT INTO r VALUES(10)");
    printf("last rowid %lld changes64 %lld\n", sqlite3_last_insert_rowid(db),
           (long long)sqlite3_changes64(db));
    exec("BEGIN");
    exec("ROLLBACK");
    printf("autocommit after rollback %d\n", sqlite3_get_autocommit(db));
    exec("COMMIT");
    const char *kinds[] = {"SELECT 1", "INSERT INTO r VALUES(1)", "CREATE TABLE z(a)", "BEGIN",
                           "COMMIT", "UPDATE r SET x = 1", "DELETE FROM r"};
    for (int i = 0; i < 7; i++) {
        sqlite3_stmt *stmt;
        sqlite3_prepare_v2(db, kinds[i], -1, &stmt, 0);
        printf("readonly [%s] %d\n", kinds[i], sqlite3_stmt_readonly(stmt));
        sqlite3_finalize(stmt);
    }
    exec("UPDATE r SET x = x + 1");
    exec("DELETE FROM r WHERE x > 5");
}

static void interrupt_and_busy(void) {
    out("busy_timeout", sqlite3_busy_timeout(db, 100));
    query("PRAGMA busy_timeout");
    sqlite3_busy_timeout(db, 0);
    sqlite3_stmt *stmt;
    exec("CREATE TABLE n(i)");
    exec("INSERT INTO n VALUES(1), (2), (3), (4), (5), (6), (7), (8), (9), (10)");
    exec("INSERT INTO n SELECT a.i * 10 + b.i FROM n a, n b");
    sqlite3_prepare_v2(db, "SELECT * FROM n a, n b, n c", -1, &stmt, 0);
    out("step before interrupt", sqlite3_step(stmt));
    sqlite3_interrupt(db);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {}
    out("step after interrupt", rc);
    out("reset after interrupt", sqlite3_reset(stmt));
    out("step again", sqlite3_step(stmt));
    sqlite3_finalize(stmt);
}

static void files(const char *dir) {
    char path[4096];
    sqlite3 *other;
    snprintf(path, sizeof path, "%s/missing.db", dir);
    int rc = sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, 0);
    printf("open missing without CREATE rc=%d handle=%d errmsg=%s\n", rc, other != 0,
           sqlite3_errmsg(other));
    printf("  close %d\n", sqlite3_close(other));
    rc = sqlite3_open_v2(path, &other, SQLITE_OPEN_READONLY, 0);
    printf("open missing READONLY rc=%d errmsg=%s\n", rc, sqlite3_errmsg(other));
    sqlite3_close(other);
    rc = sqlite3_open_v2(path, &other, 0, 0);
    printf("open bad flags rc=%d handle null=%d\n", rc, other == 0);
    snprintf(path, sizeof path, "%s/file.db", dir);
    rc = sqlite3_open(path, &other);
    printf("open create rc=%d\n", rc);
    sqlite3_exec(other, "CREATE TABLE f(a); INSERT INTO f VALUES('persisted')", 0, 0, 0);
    printf("  close %d\n", sqlite3_close(other));
    rc = sqlite3_open_v2(path, &other, SQLITE_OPEN_READONLY, 0);
    sqlite3 *saved = db;
    db = other;
    out("open READONLY", rc);
    query("SELECT a FROM f");
    exec("INSERT INTO f VALUES('nope')");
    out("write to READONLY", 0);
    db = saved;
    sqlite3_close(other);
    rc = sqlite3_open_v2(":memory:", &other, SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE, 0);
    sqlite3_exec(other, "CREATE TABLE x(a NOT NULL)", 0, 0, 0);
    rc = sqlite3_exec(other, "INSERT INTO x VALUES(NULL)", 0, 0, 0);
    printf("EXRESCODE exec rc=%d errcode=%d\n", rc, sqlite3_errcode(other));
    sqlite3_close(other);
}

static void closing(void) {
    sqlite3 *other;
    sqlite3_open(":memory:", &other);
    sqlite3_stmt *stmt;
    sqlite3_prepare_v2(other, "SELECT 1", -1, &stmt, 0);
    int rc = sqlite3_close(other);
    printf("close with statement rc=%d errmsg=%s\n", rc, sqlite3_errmsg(other));
    printf("close_v2 with statement rc=%d\n", sqlite3_close_v2(other));
    rc = sqlite3_step(stmt);
    printf("statement still steps rc=%d value=%d\n", rc, sqlite3_column_int(stmt, 0));
    printf("finalize frees zombie rc=%d\n", sqlite3_finalize(stmt));
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    constants();
    complete();
    memory();
    int rc = sqlite3_open(":memory:", &db);
    out("open :memory:", rc);
    null_handles();
    prepare_and_tail();
    values_and_conversions();
    bindings();
    exec_paths();
    constraints();
    transactions();
    interrupt_and_busy();
    files(argv[1]);
    closing();
    rc = sqlite3_close(db);
    printf("close rc=%d\n", rc);
    /* Differs by design: the test checks that ours names Basalt, then drops this line. */
    printf("sourceid: %s\n", sqlite3_sourceid());
    return 0;
}
