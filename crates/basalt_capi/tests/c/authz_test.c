/*
 * The authorizer (sqlite3_set_authorizer), PRAGMA count_changes and SQLITE_LIMIT_FUNCTION_ARG
 * through the public C API, printing a transcript: every authorizer call with its arguments,
 * and what each statement then does (rows, changes, errors) when the authorizer answers OK,
 * DENY, IGNORE or nonsense. Linked against Basalt's libsqlite3 and against real SQLite, the
 * transcripts must be equal (tests/c_api.rs). argv[1] is a scratch directory (unused).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static sqlite3 *db;
/* The answer for `action` (and, if set, only when the second argument is `arg2`). */
static int answer_action = -1, answer = SQLITE_OK;
static const char *answer_arg2;

static const char *s(const char *t) { return t ? t : "NULL"; }

static int logger(void *arg, int action, const char *a, const char *b, const char *c,
                  const char *d) {
    printf("  auth %s %d %s %s %s %s\n", (const char *)arg, action, s(a), s(b), s(c), s(d));
    if (action == answer_action && (!answer_arg2 || (b && strcmp(b, answer_arg2) == 0)))
        return answer;
    return SQLITE_OK;
}

static void answering(int action, const char *arg2, int result) {
    answer_action = action;
    answer_arg2 = arg2;
    answer = result;
    printf("answer %d to action %d (%s)\n", result, action, s(arg2));
}

static void print_row(sqlite3_stmt *stmt) {
    printf("  row:");
    for (int i = 0; i < sqlite3_data_count(stmt); i++) {
        const unsigned char *t = sqlite3_column_text(stmt, i);
        printf(" %s=%s", sqlite3_column_name(stmt, i), t ? (const char *)t : "NULL");
    }
    printf("\n");
}

static void query(const char *sql) {
    sqlite3_stmt *stmt = 0;
    printf("query %s\n", sql);
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, 0);
    if (rc != SQLITE_OK) {
        printf("  prepare rc=%d errcode=%d errmsg=%s\n", rc, sqlite3_errcode(db), sqlite3_errmsg(db));
        return;
    }
    printf("  columns=%d\n", sqlite3_column_count(stmt));
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) print_row(stmt);
    printf("  end rc=%d changes=%d msg=%s\n", rc, sqlite3_changes(db),
           rc == SQLITE_DONE ? "" : sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
}

static void setup(void) {
    sqlite3_set_authorizer(db, 0, 0);
    int rc = sqlite3_exec(db,
                 "drop table if exists t; drop table if exists u; drop table if exists z;"
                 "drop table if exists w; drop view if exists vz; drop table if exists temp.tz;"
                 "drop view if exists temp.tv; drop table if exists temp.tt;"
                 "create table t(a INTEGER primary key, b, c);"
                 "insert into t values(1, 2, 3), (4, 5, 6);"
                 "create index ti on t(c);"
                 "create table u(x, y); insert into u values(1, 'one');"
                 "create table w(k unique, l);"
                 "create trigger trg after delete on w begin select 1; end;"
                 "create temp table tt(p, q); insert into tt values(7, 8);"
                 "create index temp.tti on tt(q);",
                 0, 0, 0);
    if (rc != SQLITE_OK) printf("setup failed: %s\n", sqlite3_errmsg(db));
    sqlite3_set_authorizer(db, logger, "log");
}

static const char *statements[] = {
    "select * from t",
    "select b from t where c > 1",
    "select rowid, a, _rowid_ from t",
    "select count(*) from t",
    "select t.* from t, u",
    "select u.y, t.b from t join u on u.x = t.a where t.c > 0 group by t.b having count(*) > 0 "
    "order by u.y",
    "select b as k from t where k > 0 order by k",
    "select a from t order by b",
    "select abs(-1), upper('x'), 1 + 2",
    "select max(b), min(c) from main.t where a > 0 group by c order by 1 limit 5",
    "select b as k, count(*) from t group by k having k > 0",
    "select b as k from t order by k collate nocase, 1, c",
    "select b + c as k, upper(b) as l, c as m, t.a as n from t where k > 0 and l and m and n "
    "group by k, l, m, n having m and n",
    "select \"b\", \"zz\", t2.c from t as t2 where t2.a = rowid",
    "select x.b, y.x from t x left join u y on y.x = x.a cross join t z",
    "select distinct b from t where b between c and a or b like 'x%' and c in (1, 2)",
    "select name from sqlite_schema where type = 'table'",
    "select * from temp.sqlite_master",
    "select cast(b as text), coalesce(c, 1), case a when 1 then b else c end from t",
    "select current_date is not null, typeof(current_timestamp), current_time > '', iif(a, b, c), "
    "ABS(-1), nullif(a, 2), a is distinct from b, -a, ~b, a is not b collate nocase, a is 1, "
    "a is t.b, b isnull from t",
    "select b glob 'x', b not like 'y' escape 'z', upper(b) like lower(c) from t",
    "select p, q from tt",
    "select * from temp.tt",
    "insert into u values(2, 'two')",
    "insert into u values (abs(1), 2), (3, upper('x')), (lower('a'), 4)",
    "insert into u(x) values(abs(-3))",
    "insert into u select a, b from t",
    "insert into u default values",
    "update t set b = 1 where c = 2",
    "update t set b = c, c = b",
    "update t set rowid = rowid where a = 4",
    "delete from u where x = 1",
    "delete from u",
    "pragma user_version = 3",
    "pragma user_version",
    "pragma table_info(t)",
    "pragma main.table_info('u')",
    "begin",
    "savepoint s",
    "release s",
    "savepoint s2",
    "rollback to s2",
    "commit",
    "begin immediate",
    "rollback",
    "create table z(q, r integer primary key)",
    "create temp table tz(q)",
    "create view vz as select b from t",
    "create temp view tv as select 1",
    "drop view vz",
    "drop view tv",
    "drop table z",
    "drop table tz",
    "drop table if exists nosuch",
    "create index i on t(b, c desc)",
    "create unique index if not exists i2 on u(x collate nocase)",
    "create index ti on t(b)",
    "create index if not exists ti on t(b)",
    "create index tti2 on tt(p)",
    "drop index ti",
    "drop index tti",
    "drop index if exists nosuch",
    "drop index sqlite_autoindex_w_1",
    "drop table t",
    "drop table w",
    "create trigger tr2 after insert on u begin select 1; end",
    "create trigger trg after insert on u begin select 1; end",
    "drop trigger trg",
    0,
};

/* Each statement with the authorizer answering `result` to its own action kinds in turn. */
static void all_with(int action, const char *arg2, int result) {
    answering(action, arg2, result);
    for (int i = 0; statements[i]; i++) {
        setup();
        query(statements[i]);
    }
    sqlite3_exec(db, "rollback", 0, 0, 0);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    printf("sourceid: %s\n", sqlite3_sourceid());
    sqlite3_open(":memory:", &db);
    printf("set_authorizer: %d\n", sqlite3_set_authorizer(db, logger, "log"));

    all_with(-1, 0, SQLITE_OK);
    const int actions[] = {SQLITE_SELECT,       SQLITE_READ,              SQLITE_INSERT,
                           SQLITE_UPDATE,       SQLITE_DELETE,            SQLITE_PRAGMA,
                           SQLITE_TRANSACTION,  SQLITE_SAVEPOINT,         SQLITE_FUNCTION,
                           SQLITE_CREATE_TABLE, SQLITE_CREATE_TEMP_TABLE, SQLITE_CREATE_VIEW,
                           SQLITE_DROP_TABLE,   SQLITE_DROP_VIEW,         SQLITE_DROP_TEMP_TABLE,
                           SQLITE_CREATE_INDEX, SQLITE_CREATE_TEMP_INDEX, SQLITE_DROP_INDEX,
                           SQLITE_DROP_TEMP_INDEX, SQLITE_REINDEX,        SQLITE_CREATE_TRIGGER,
                           SQLITE_DROP_TRIGGER};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        all_with(actions[i], 0, SQLITE_DENY);
        all_with(actions[i], 0, 99);
    }
    /* A denial in the middle of an expression: SQLite asks about the rest of it first. */
    all_with(SQLITE_READ, "a", SQLITE_DENY);
    all_with(SQLITE_READ, "b", 99);
    answering(SQLITE_FUNCTION, "abs", SQLITE_DENY);
    setup();
    query("select abs(b) + upper(c), 1 from t where a > 0");
    query("select upper(abs(b)) || abs(c) || lower(b), a from t where abs(a) + 1 and c");
    query("select b from t where c > 0 and abs(b) and lower(abs(a)) or a");
    query("select upper(c) || abs(b + c) || lower(b) from t");
    answering(SQLITE_READ, "c", SQLITE_DENY);
    setup();
    query("select a + b * c + a, b from t");
    query("select b from t where c > 0 and b > 0 or a = 1");
    query("select u.y from t join u on u.x = t.a and t.c = 1 where t.b > 0 and t.b = t.c");
    query("select b from t group by b, c, a order by c, b");
    query("select b like c, c glob b, b from t");
    query("select case a when 1 then c else b end, b from t");
    query("select iif(a, c, b), nullif(c, 1) + a, b from t");
    query("select b from t where a is c and b is not a or a is b");
    query("select b from t where abs(c) + a > 0 and upper(c || b) like lower(a) and b");
    query("select b from t where coalesce(a, c, b) and a in (b, c, a) and c between a and b");
    query("update t set b = c + a, c = b where c = a");
    query("insert into u values (1, 2), (abs(-1), 3)");

    /* IGNORE where it has a meaning Basalt mirrors. */
    answering(SQLITE_READ, "b", SQLITE_IGNORE);
    for (int i = 0; i < 12; i++) {
        setup();
        query(statements[i]);
    }
    answering(SQLITE_READ, "a", SQLITE_IGNORE);
    setup();
    query("select rowid, a, b from t");
    answering(SQLITE_UPDATE, "b", SQLITE_IGNORE);
    setup();
    query("update t set b = 9, c = 8 where a = 1");
    query("select * from t");
    answering(SQLITE_DELETE, 0, SQLITE_IGNORE);
    setup();
    query("delete from u");
    query("select count(*) from u");
    const int nothing[] = {SQLITE_SELECT,       SQLITE_INSERT,     SQLITE_PRAGMA,
                           SQLITE_TRANSACTION,  SQLITE_SAVEPOINT,  SQLITE_CREATE_TABLE,
                           SQLITE_CREATE_VIEW,  SQLITE_DROP_TABLE, SQLITE_CREATE_INDEX,
                           SQLITE_DROP_INDEX,   SQLITE_CREATE_TRIGGER, SQLITE_DROP_TRIGGER};
    for (size_t i = 0; i < sizeof nothing / sizeof nothing[0]; i++) {
        answering(nothing[i], 0, SQLITE_IGNORE);
        setup();
        query("select b from t");
        query("insert into u values(9, 9)");
        query("select count(*) from u");
        query("pragma user_version = 5");
        query("pragma user_version");
        query("begin");
        query("savepoint s");
        query("create table z(q)");
        query("create view vz as select 1");
        query("select name from sqlite_master order by name");
        query("drop table u");
        query("create index ib on t(b)");
        query("drop index ti");
        query("create trigger tr3 after insert on t begin select 1; end");
        query("drop trigger trg");
        query("select name from sqlite_master order by name");
        sqlite3_exec(db, "rollback", 0, 0, 0);
    }

    /* A statement prepared before the authorizer changes compiles again, and asks it. */
    answering(-1, 0, SQLITE_OK);
    setup();
    sqlite3_stmt *stmt = 0;
    sqlite3_set_authorizer(db, 0, 0);
    printf("prepare without authorizer: %d\n", sqlite3_prepare_v2(db, "select c from t", -1, &stmt, 0));
    sqlite3_set_authorizer(db, logger, "late");
    answering(SQLITE_READ, "c", SQLITE_DENY);
    int rc = sqlite3_step(stmt);
    printf("step after set_authorizer: %d %s\n", rc, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    sqlite3_set_authorizer(db, 0, 0);
    query("select c from t");

    /* PRAGMA count_changes. */
    answering(-1, 0, SQLITE_OK);
    setup();
    sqlite3_set_authorizer(db, 0, 0);
    query("pragma count_changes");
    query("pragma count_changes = 1");
    query("pragma count_changes");
    query("insert into u values(3, 'three'), (4, 'four')");
    query("update u set y = 'x' where x > 2");
    query("delete from u where x = 4");
    query("delete from u");
    query("insert into u values(5, 'five') returning x");
    query("pragma count_changes = off");
    query("insert into u values(6, 'six')");

    /* SQLITE_LIMIT_FUNCTION_ARG. */
    printf("limit: %d\n", sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 1));
    printf("limit: %d\n", sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, -1));
    query("select abs(-1)");
    query("select max(1, 2)");
    query("select MAX(1, 2) from nosuch");
    query("select x from u where x in (select coalesce(x, 1) from u)");
    query("select count(*), group_concat(y) from u");
    printf("limit: %d\n", sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 2));
    query("select max(1, 2)");
    query("select max(1, 2, 3)");
    sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 1000);
    query("select max(1, 2, 3)");

    /* The library's own work asks nothing (Basalt runs PRAGMAs for some of it). */
    sqlite3_set_authorizer(db, logger, "api");
    answering(SQLITE_PRAGMA, 0, SQLITE_DENY);
    printf("busy_timeout: %d\n", sqlite3_busy_timeout(db, 10));
    printf("busy_handler: %d\n", sqlite3_busy_handler(db, 0, 0));
    printf("wal_autocheckpoint: %d\n", sqlite3_wal_autocheckpoint(db, 100));
    int frames = -2, done = -2;
    printf("wal_checkpoint_v2: %d %d %d\n",
           sqlite3_wal_checkpoint_v2(db, 0, SQLITE_CHECKPOINT_PASSIVE, &frames, &done), frames,
           done);
    int fk = -2;
    printf("db_config fkey: %d %d\n", sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &fk),
           fk);
    query("pragma user_version");
    sqlite3_close(db);
    return 0;
}
