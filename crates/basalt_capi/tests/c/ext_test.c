/*
 * The second C differential program (tests/c_api.rs): printf, config, status and limits,
 * UTF-16 entry points, backup and serialize. Linked once against Basalt's libsqlite3 and once
 * against real SQLite; the transcripts must be equal. argv[1] is a scratch directory.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int log_calls;
static void logger(void *arg, int code, const char *message) {
    log_calls++;
    printf("log arg=%s code=%d message=%s\n", (const char *)arg, code, message);
}

/* Runs before anything initializes the library. */
static void config(void) {
    printf("config SERIALIZED %d\n", sqlite3_config(SQLITE_CONFIG_SERIALIZED));
    printf("config MEMSTATUS %d\n", sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1));
    printf("config unknown %d\n", sqlite3_config(999));
    printf("config LOG %d\n", sqlite3_config(SQLITE_CONFIG_LOG, logger, "tag"));
    sqlite3_log(SQLITE_WARNING, "hello %d %s", 42, "world");
    printf("config LOG off %d\n", sqlite3_config(SQLITE_CONFIG_LOG, (void *)0, (void *)0));
    sqlite3_log(SQLITE_WARNING, "not seen");
    printf("log calls %d\n", log_calls);
    printf("initialize %d\n", sqlite3_initialize());
    printf("config after initialize %d\n", sqlite3_config(SQLITE_CONFIG_SERIALIZED));
    printf("shutdown %d\n", sqlite3_shutdown());
    printf("config after shutdown %d\n", sqlite3_config(SQLITE_CONFIG_SERIALIZED));
    char *p = sqlite3_mprintf("x");
    sqlite3_free(p);
    printf("config after mprintf %d\n", sqlite3_config(SQLITE_CONFIG_SERIALIZED));
}

static void show(const char *label, char *s) {
    printf("%s [%s]\n", label, s ? s : "(NULL)");
    sqlite3_free(s);
}

static void printfs(void) {
    show("d", sqlite3_mprintf("%d|%5d|%-5d|%05d|%+d|% d|%,d", 42, -42, 7, -7, 3, 4, 1234567));
    show("lld", sqlite3_mprintf("%lld %lld %ld", (long long)9007199254740993LL,
                                (long long)-9223372036854775807LL - 1, 123456789L));
    show("u x", sqlite3_mprintf("%u %x %X %#x %o %#o %llx", -1, 255, 255, 255, 8, 8, -1LL));
    show("f", sqlite3_mprintf("%f %.2f %10.3f %-10.1f| %e %E %g %G", 3.14159, 2.005, -1.5, 0.25,
                              12345.678, 0.000123, 100000.0, 1e20));
    show("g", sqlite3_mprintf("%g %g %g %#g %!.15g %.0f %.3e", 0.0001, 123456789.0, 1.5, 1.0,
                              0.1, 2.5, 1234.5));
    show("bang digits", sqlite3_mprintf("%!.20g %!.26g %!.30e %!.22f", 0.1, 1.0 / 3, 123.456, 8.3036645528664e-6));
    show("special", sqlite3_mprintf("%f %f %.1f", 1.0 / 0.0, -1.0 / 0.0, 1e300 * 10));
    show("s", sqlite3_mprintf("%s|%10s|%-10s|%.3s|%s", "abc", "right", "left", "truncate",
                              (char *)0));
    show("q", sqlite3_mprintf("%q|%Q|%Q|%w|%q", "it's", "it's", (char *)0, "a\"b", (char *)0));
    show("c", sqlite3_mprintf("%c%c%c|%5c|%.3c", 'a', 'b', 0xe9, 'x', 'y'));
    show("star", sqlite3_mprintf("%*d|%-*d|%.*f|%.*s", 6, 1, 6, 2, 2, 3.14159, 2, "abcdef"));
    show("percent", sqlite3_mprintf("100%% %"));
    show("unknown", sqlite3_mprintf("a%yb %d", 5));
    show("bang", sqlite3_mprintf("%!.3s|%!5s|%!f", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "\xc3\xa9",
                                 1.5));
    char *z = sqlite3_mprintf("owned");
    show("z", sqlite3_mprintf("%z and %s", z, "more"));
    show("empty", sqlite3_mprintf(""));
    int count1 = -1, count2 = -1;
    show("n", sqlite3_mprintf("ab%5d%ncd%s%n!", 7, &count1, "xyz", &count2));
    printf("n counts %d %d\n", count1, count2);
    char buf[12];
    memset(buf, 'Z', sizeof buf);
    char *r = sqlite3_snprintf(sizeof buf, buf, "%s-%d", "abcdefgh", 12345);
    printf("snprintf [%s] same %d\n", buf, r == buf);
    sqlite3_snprintf(1, buf, "%s", "abc");
    printf("snprintf 1 [%s]\n", buf);
    buf[0] = 'Q';
    sqlite3_snprintf(0, buf, "%s", "abc");
    printf("snprintf 0 first %c\n", buf[0]);
    sqlite3_snprintf(sizeof buf, buf, "%q", "'''''''''''''");
    printf("snprintf q [%s]\n", buf);
    char *big = sqlite3_mprintf("%.*c", 5000, 'k');
    printf("long %d %c\n", (int)strlen(big), big[4999]);
    sqlite3_free(big);
}

static sqlite3 *open_memory(void) {
    sqlite3 *db = 0;
    sqlite3_open(":memory:", &db);
    return db;
}

static void db_configs(void) {
    sqlite3 *db = open_memory();
    for (int op = SQLITE_DBCONFIG_ENABLE_FKEY; op <= SQLITE_DBCONFIG_ENABLE_COMMENTS; op++) {
        if (op == SQLITE_DBCONFIG_STMT_SCANSTATUS) continue; /* build-dependent in SQLite */
        int value = -5;
        int rc = sqlite3_db_config(db, op, -1, &value);
        printf("db_config %d rc=%d value=%d\n", op, rc, value);
    }
    int value = -5;
    printf("fkey off rc=%d", sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, &value));
    printf(" value=%d\n", value);
    printf("lookaside rc=%d\n", sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, (void *)0, 0, 0));
    printf("unknown db_config rc=%d\n", sqlite3_db_config(db, 5000, 0, &value));
    sqlite3_close(db);
}

static void status_and_facts(const char *dir) {
    int cur = -1, hi = -1;
    sqlite3_int64 cur64, hi64;
    printf("status rc=%d\n", sqlite3_status(SQLITE_STATUS_MEMORY_USED, &cur, &hi, 0));
    printf("status64 rc=%d\n", sqlite3_status64(SQLITE_STATUS_MALLOC_COUNT, &cur64, &hi64, 0));
    printf("status bad op rc=%d\n", sqlite3_status(100, &cur, &hi, 0));
    sqlite3 *db = open_memory();
    for (int op = 0; op <= 12; op++) {
        int rc = sqlite3_db_status(db, op, &cur, &hi, 0);
        printf("db_status %d rc=%d\n", op, rc);
    }
    printf("db_status bad rc=%d\n", sqlite3_db_status(db, 99, &cur, &hi, 0));
    for (int id = 0; id <= 11; id++) printf("limit %d = %d\n", id, sqlite3_limit(db, id, -1));
    printf("limit set old=%d", sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 100));
    printf(" now=%d", sqlite3_limit(db, SQLITE_LIMIT_COLUMN, -1));
    printf(" capped old=%d", sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 500));
    printf(" now=%d bad=%d\n", sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, -1), sqlite3_limit(db, 99, 1));
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 20);
    sqlite3_stmt *stmt = 0;
    int rc = sqlite3_prepare_v2(db, "SELECT 1, 2, 3, 4, 5, 6, 7, 8", -1, &stmt, 0);
    printf("sql length limit rc=%d errmsg=%s stmt null %d\n", rc, sqlite3_errmsg(db), stmt == 0);
    rc = sqlite3_prepare_v2(db, "SELECT 1, 2, 3, 4, 5, 6, 7, 8", 10, &stmt, 0);
    printf("sql length within limit rc=%d\n", rc);
    sqlite3_finalize(stmt);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1000000000);
    const char *name = sqlite3_db_filename(db, "main");
    printf("memory filename [%s] temp [%s] nosuch null %d\n", name ? name : "(NULL)",
           sqlite3_db_filename(db, "temp"), sqlite3_db_filename(db, "nosuch") == 0);
    printf("readonly main %d temp %d nosuch %d\n", sqlite3_db_readonly(db, "main"),
           sqlite3_db_readonly(db, "temp"), sqlite3_db_readonly(db, "nosuch"));
    sqlite3_exec(db, "CREATE TABLE t(a UNIQUE)", 0, 0, 0);
    printf("txn none %d %d %d\n", sqlite3_txn_state(db, 0), sqlite3_txn_state(db, "main"),
           sqlite3_txn_state(db, "nosuch"));
    sqlite3_exec(db, "BEGIN; SELECT * FROM t", 0, 0, 0);
    printf("txn read %d %d\n", sqlite3_txn_state(db, 0), sqlite3_txn_state(db, "main"));
    sqlite3_exec(db, "INSERT INTO t VALUES(1)", 0, 0, 0);
    printf("txn write %d %d\n", sqlite3_txn_state(db, 0), sqlite3_txn_state(db, "main"));
    sqlite3_exec(db, "COMMIT", 0, 0, 0);
    printf("txn after commit %d\n", sqlite3_txn_state(db, 0));
    rc = sqlite3_exec(db, "INSERT INTO t VALUES(1)", 0, 0, 0);
    printf("unique rc=%d errcode=%d\n", rc, sqlite3_errcode(db));
    sqlite3_exec(db, "CREATE TABLE m(id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT NOT NULL COLLATE nocase,"
                     " v, w DECIMAL(10,2) DEFAULT 3); CREATE TABLE r(x, y PRIMARY KEY)",
                 0, 0, 0);
    const char *cases[][3] = {{"main", "m", "id"}, {0, "m", "n"}, {0, "m", "v"}, {0, "m", "w"},
                              {0, "m", "rowid"}, {0, "r", "oid"}, {0, "r", "y"}, {0, "r", 0}, {0, "m", 0},
                              {0, "m", "nosuch"}, {0, "nosuch", "x"}, {"temp", "m", "id"},
                              {"nosuch", "m", "id"}};
    for (int i = 0; i < 13; i++) {
        const char *type = "?", *coll = "?";
        int nn = -1, pk = -1, ai = -1;
        rc = sqlite3_table_column_metadata(db, cases[i][0], cases[i][1], cases[i][2], &type, &coll,
                                           &nn, &pk, &ai);
        printf("metadata %s.%s.%s rc=%d type=%s coll=%s notnull=%d pk=%d autoinc=%d errmsg=%s\n",
               cases[i][0] ? cases[i][0] : "-", cases[i][1], cases[i][2] ? cases[i][2] : "-", rc,
               type ? type : "(NULL)", coll ? coll : "(NULL)", nn, pk, ai, sqlite3_errmsg(db));
    }
    printf("metadata only rc=%d\n", sqlite3_table_column_metadata(db, 0, "m", "n", 0, 0, 0, 0, 0));
    printf("extended_result_codes %d\n", sqlite3_extended_result_codes(db, 1));
    rc = sqlite3_exec(db, "INSERT INTO t VALUES(1)", 0, 0, 0);
    printf("unique extended rc=%d errcode=%d\n", rc, sqlite3_errcode(db));
    sqlite3_extended_result_codes(db, 0);
    printf("enable_load_extension(0) %d\n", sqlite3_enable_load_extension(db, 0));
    char *err = 0;
    rc = sqlite3_load_extension(db, "nosuch_extension", 0, &err);
    printf("load_extension rc=%d has message %d\n", rc, err != 0);
    sqlite3_free(err);
    sqlite3_close(db);

    char path[4096];
    snprintf(path, sizeof path, "%s/facts.db", dir);
    sqlite3_open(path, &db);
    name = sqlite3_db_filename(db, "main");
    printf("file filename ends %d absolute %d\n",
           strlen(name) > 9 && strcmp(name + strlen(name) - 9, "/facts.db") == 0, name[0] == '/');
    sqlite3_close(db);
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, 0);
    printf("readonly file main %d\n", sqlite3_db_readonly(db, "main"));
    sqlite3_close(db);

    unsigned char bytes[64] = {0};
    sqlite3_randomness(sizeof bytes, bytes);
    int nonzero = 0;
    for (size_t i = 0; i < sizeof bytes; i++) nonzero += bytes[i] != 0;
    printf("randomness filled %d\n", nonzero > 32);
    sqlite3_randomness(0, 0);
    printf("sleep %d\n", sqlite3_sleep(1));
    printf("strglob %d %d %d\n", sqlite3_strglob("a*c", "abbc"), sqlite3_strglob("a?c", "abbc"),
           sqlite3_strglob("[a-c]x", "bx"));
    printf("strlike %d %d %d\n", sqlite3_strlike("A%", "abc", 0), sqlite3_strlike("a\\%", "a%", '\\'),
           sqlite3_strlike("a\\%", "ab", '\\'));
    printf("stricmp %d %d %d %d\n", sqlite3_stricmp("abc", "ABC") == 0, sqlite3_stricmp("abc", "abd") < 0,
           sqlite3_stricmp("b", "A") > 0, sqlite3_stricmp("ab", "abc") < 0);
    printf("strnicmp %d %d\n", sqlite3_strnicmp("abcX", "ABCy", 3), sqlite3_strnicmp("abc", "abd", 3) < 0);
}

/* A UTF-16 string from ASCII, in a static buffer per call site. */
static const void *u16(const char *ascii, unsigned short *buf) {
    size_t i = 0;
    for (; ascii[i]; i++) buf[i] = (unsigned char)ascii[i];
    buf[i] = 0;
    return buf;
}

static void print16(const char *label, const void *p) {
    const unsigned short *s = p;
    printf("%s [", label);
    if (!s) printf("(NULL)");
    else for (; *s; s++) printf(*s < 128 ? "%c" : "\\u%04x", *s);
    printf("]\n");
}

static void utf16(void) {
    unsigned short name[32], sql[128], text[32];
    sqlite3 *db = 0;
    printf("open16 rc=%d\n", sqlite3_open16(u16(":memory:", name), &db));
    sqlite3_exec(db, "CREATE TABLE t(a, b)", 0, 0, 0);
    sqlite3_stmt *stmt = 0;
    const void *tail = 0;
    const void *text16 = u16("INSERT INTO t VALUES(?, 'x\xc3\xa9'); SELECT 1", sql);
    int rc = sqlite3_prepare16_v2(db, text16, -1, &stmt, &tail);
    printf("prepare16 rc=%d tail offset %d\n", rc, (int)((const unsigned short *)tail - sql));
    rc = sqlite3_bind_text16(stmt, 1, u16("hello", text), -1, SQLITE_TRANSIENT);
    printf("bind_text16 rc=%d step %d\n", rc, sqlite3_step(stmt));
    sqlite3_finalize(stmt);
    text[0] = 0x20ac;
    text[1] = 'z';
    rc = sqlite3_prepare16_v3(db, u16("INSERT INTO t VALUES(?, 1)", sql), 52, 0, &stmt, 0);
    printf("prepare16_v3 rc=%d bind %d", rc, sqlite3_bind_text16(stmt, 1, text, 4, SQLITE_STATIC));
    printf(" step %d\n", sqlite3_step(stmt));
    sqlite3_finalize(stmt);
    sqlite3_prepare16_v2(db, u16("SELECT a AS first, b, length(a) FROM t", sql), -1, &stmt, 0);
    print16("name16 0", sqlite3_column_name16(stmt, 0));
    print16("name16 9", sqlite3_column_name16(stmt, 9));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const void *a = sqlite3_column_text16(stmt, 0);
        print16("text16 a", a);
        print16("text16 b", sqlite3_column_text16(stmt, 1));
        printf("bytes16 %d %d same pointer %d\n", sqlite3_column_bytes16(stmt, 0),
               sqlite3_column_bytes16(stmt, 1), a == sqlite3_column_text16(stmt, 0));
    }
    sqlite3_finalize(stmt);
    rc = sqlite3_prepare16_v2(db, u16("SELECT * FROM nosuch", sql), -1, &stmt, 0);
    printf("prepare16 error rc=%d\n", rc);
    print16("errmsg16", sqlite3_errmsg16(db));
    printf("complete16 %d %d\n", sqlite3_complete16(u16("SELECT 1;", sql)),
           sqlite3_complete16(u16("SELECT 1", sql)));
    /* A character outside the BMP takes two UTF-16 units, four UTF-8 bytes. */
    unsigned short pair[] = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '\'', 0xd83d, 0xde00, '\'', ';',
                             ' ', 'S', 'E', 'L', 'E', 'C', 'T', ' ', '2', 0};
    rc = sqlite3_prepare16_v2(db, pair, -1, &stmt, &tail);
    printf("surrogate pair rc=%d tail offset %d", rc, (int)((const unsigned short *)tail - pair));
    sqlite3_step(stmt);
    printf(" bytes %d bytes16 %d\n", sqlite3_column_bytes(stmt, 0), sqlite3_column_bytes16(stmt, 0));
    sqlite3_finalize(stmt);
    rc = sqlite3_prepare16_v2(db, pair, 16, &stmt, &tail);
    printf("prepare16 nByte 16 rc=%d errmsg=%s\n", rc, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    rc = sqlite3_prepare16_v2(db, u16("SELECT 1", sql), -1, &stmt, 0);
    printf("bind_text16 range rc=%d\n", sqlite3_bind_text16(stmt, 3, u16("x", text), -1, SQLITE_STATIC));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

static void query(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, 0);
    printf("query %s:", sql);
    if (rc != SQLITE_OK) {
        printf(" prepare rc=%d %s\n", rc, sqlite3_errmsg(db));
        return;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(stmt); i++) {
            const unsigned char *t = sqlite3_column_text(stmt, i);
            printf(" %s", t ? (const char *)t : "NULL");
        }
        printf(";");
    }
    printf(" rc=%d\n", rc);
    sqlite3_finalize(stmt);
}

static void fill(sqlite3 *db) {
    sqlite3_exec(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT); CREATE INDEX tb ON t(b); BEGIN",
                 0, 0, 0);
    sqlite3_stmt *stmt;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?, printf('%0100d', ?1))", -1, &stmt, 0);
    for (int i = 1; i <= 400; i++) {
        sqlite3_bind_int(stmt, 1, i);
        sqlite3_step(stmt);
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    sqlite3_exec(db, "COMMIT", 0, 0, 0);
}

static void backups(const char *dir) {
    char path[4096], path2[4096];
    snprintf(path, sizeof path, "%s/backup-src.db", dir);
    snprintf(path2, sizeof path2, "%s/backup-back.db", dir);
    sqlite3 *file = 0, *mem = open_memory(), *back = 0;
    sqlite3_open(path, &file);
    fill(file);
    printf("init same %d", sqlite3_backup_init(file, "main", file, "main") == 0);
    printf(" errmsg=%s\n", sqlite3_errmsg(file));
    printf("init unknown %d", sqlite3_backup_init(mem, "main", file, "nosuch") == 0);
    printf(" errmsg=%s\n", sqlite3_errmsg(mem));
    sqlite3_backup *b = sqlite3_backup_init(mem, "main", file, "main");
    printf("init ok %d remaining %d pagecount %d\n", b != 0, sqlite3_backup_remaining(b),
           sqlite3_backup_pagecount(b));
    printf("close source while backing up %d\n", sqlite3_close(file));
    int rc, steps = 0;
    while ((rc = sqlite3_backup_step(b, 5)) == SQLITE_OK) {
        steps++;
        if (steps == 1)
            printf("after one step remaining %d pagecount %d\n", sqlite3_backup_remaining(b),
                   sqlite3_backup_pagecount(b));
    }
    printf("step rc=%d steps=%d remaining %d\n", rc, steps, sqlite3_backup_remaining(b));
    printf("step after done %d\n", sqlite3_backup_step(b, 5));
    printf("finish %d\n", sqlite3_backup_finish(b));
    printf("finish NULL %d\n", sqlite3_backup_finish(0));
    query(mem, "SELECT count(*), sum(a), max(b) = printf('%0100d', 400) FROM t");
    sqlite3_exec(mem, "DELETE FROM t WHERE a % 3 = 0; INSERT INTO t VALUES(1000, 'new')", 0, 0, 0);
    sqlite3_open(path2, &back);
    b = sqlite3_backup_init(back, "main", mem, "main");
    printf("back step -1 %d", sqlite3_backup_step(b, -1));
    printf(" finish %d\n", sqlite3_backup_finish(b));
    sqlite3_close(back);
    sqlite3_open(path2, &back);
    query(back, "PRAGMA integrity_check");
    query(back, "SELECT count(*), sum(a) FROM t");
    query(back, "SELECT b FROM t WHERE a = 1000");
    sqlite3_close(back);

    /* Another connection writes the source between steps: the copy starts over. */
    sqlite3 *writer = 0, *dest = open_memory();
    sqlite3_open(path, &writer);
    b = sqlite3_backup_init(dest, "main", file, "main");
    printf("restart first step %d", sqlite3_backup_step(b, 3));
    sqlite3_exec(writer, "INSERT INTO t SELECT a + 1000, b FROM t", 0, 0, 0);
    while ((rc = sqlite3_backup_step(b, 3)) == SQLITE_OK) {
    }
    printf(" last %d finish %d\n", rc, sqlite3_backup_finish(b));
    query(dest, "SELECT count(*), max(a) FROM t");
    query(dest, "PRAGMA integrity_check");

    /* A destination inside a transaction is in use. */
    sqlite3_exec(dest, "BEGIN; SELECT count(*) FROM t", 0, 0, 0);
    b = sqlite3_backup_init(dest, "main", file, "main");
    printf("init into busy destination null %d errmsg=%s\n", b == 0, sqlite3_errmsg(dest));
    sqlite3_exec(dest, "COMMIT", 0, 0, 0);
    sqlite3_close(dest);
    sqlite3_close(writer);
    sqlite3_close(mem);
    sqlite3_close(file);
}

static void serialize(void) {
    sqlite3 *db = open_memory(), *copy = open_memory();
    fill(db);
    sqlite3_int64 size = 0;
    unsigned char *image = sqlite3_serialize(db, "main", &size, 0);
    printf("serialize non-null %d size %lld\n", image != 0, size);
    sqlite3_int64 no_size = 0;
    printf("serialize nosuch null %d", sqlite3_serialize(db, "nosuch", &no_size, 0) == 0);
    printf(" size %lld\n", no_size);
    int rc = sqlite3_deserialize(copy, "main", image, size, size,
                                 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
    printf("deserialize rc=%d errmsg=%s\n", rc, sqlite3_errmsg(copy));
    query(copy, "SELECT count(*), sum(a) FROM t");
    query(copy, "PRAGMA integrity_check");
    sqlite3_exec(copy, "INSERT INTO t VALUES(5000, 'grown')", 0, 0, 0);
    query(copy, "SELECT count(*) FROM t");
    sqlite3_close(copy);
    copy = open_memory();
    image = sqlite3_serialize(db, 0, &size, 0);
    rc = sqlite3_deserialize(copy, "main", image, size, size, SQLITE_DESERIALIZE_READONLY);
    printf("deserialize readonly rc=%d\n", rc);
    rc = sqlite3_exec(copy, "INSERT INTO t VALUES(5000, 'x')", 0, 0, 0);
    printf("write readonly rc=%d errmsg=%s\n", rc, sqlite3_errmsg(copy));
    query(copy, "SELECT count(*) FROM t");
    sqlite3_close(copy);
    sqlite3_free(image);
    sqlite3_close(db);

    db = open_memory();
    image = sqlite3_serialize(db, "main", &size, 0);
    printf("serialize empty size %lld\n", size);
    sqlite3_free(image);
    image = sqlite3_serialize(db, "main", &size, SQLITE_SERIALIZE_NOCOPY);
    printf("serialize NOCOPY of a plain memory database null %d\n", image == 0);
    sqlite3_close(db);
}

static void blob_out(sqlite3 *db, const char *label, int rc) {
    printf("%s rc=%d errcode=%d errmsg=%s\n", label, rc, sqlite3_errcode(db), sqlite3_errmsg(db));
}

static void blobs(void) {
    sqlite3 *db = open_memory();
    sqlite3_exec(db, "CREATE TABLE b(id INTEGER PRIMARY KEY, data BLOB, t TEXT, n INT, k UNIQUE)",
                 0, 0, 0);
    static unsigned char big[10000];
    for (int i = 0; i < (int)sizeof big; i++) big[i] = (unsigned char)(i * 7);
    sqlite3_stmt *stmt;
    sqlite3_prepare_v2(db, "INSERT INTO b VALUES(?, ?, ?, ?, ?)", -1, &stmt, 0);
    for (int row = 1; row <= 3; row++) {
        sqlite3_bind_int(stmt, 1, row);
        sqlite3_bind_blob(stmt, 2, big, row == 2 ? 16 : (int)sizeof big, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, "some text", -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 4, row * 10);
        sqlite3_bind_text(stmt, 5, row == 1 ? "k1" : row == 2 ? "k2" : "k3", -1, SQLITE_STATIC);
        sqlite3_step(stmt);
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    sqlite3_exec(db, "INSERT INTO b(id) VALUES(4)", 0, 0, 0);

    sqlite3_blob *b = (sqlite3_blob *)1;
    blob_out(db, "open no table", sqlite3_blob_open(db, "main", "nosuch", "data", 1, 0, &b));
    printf("  handle null %d\n", b == 0);
    blob_out(db, "open no column", sqlite3_blob_open(db, "main", "b", "nosuch", 1, 0, &b));
    blob_out(db, "open no row", sqlite3_blob_open(db, "main", "b", "data", 99, 0, &b));
    blob_out(db, "open null value", sqlite3_blob_open(db, "main", "b", "data", 4, 0, &b));
    blob_out(db, "open integer", sqlite3_blob_open(db, "main", "b", "n", 1, 0, &b));
    blob_out(db, "open rowid alias", sqlite3_blob_open(db, "main", "b", "id", 1, 0, &b));
    blob_out(db, "open indexed for writing", sqlite3_blob_open(db, "main", "b", "k", 1, 1, &b));
    blob_out(db, "open bad schema", sqlite3_blob_open(db, "nosuch", "b", "data", 1, 0, &b));

    blob_out(db, "open read", sqlite3_blob_open(db, "main", "b", "data", 1, 0, &b));
    printf("  bytes %d\n", sqlite3_blob_bytes(b));
    unsigned char buf[64];
    int rc = sqlite3_blob_read(b, buf, 8, 9990);
    printf("  read tail rc=%d %d %d %d\n", rc, buf[0], buf[7], memcmp(buf, big + 9990, 8) == 0);
    static unsigned char all[10000];
    rc = sqlite3_blob_read(b, all, sizeof all, 0);
    printf("  read all rc=%d equal %d\n", rc, memcmp(all, big, sizeof all) == 0);
    blob_out(db, "  read past end", sqlite3_blob_read(b, buf, 8, 9995));
    blob_out(db, "  read negative", sqlite3_blob_read(b, buf, -1, 0));
    blob_out(db, "  write on read handle", sqlite3_blob_write(b, "xy", 2, 0));
    blob_out(db, "  reopen row 2", sqlite3_blob_reopen(b, 2));
    printf("  bytes %d\n", sqlite3_blob_bytes(b));
    blob_out(db, "  reopen null row", sqlite3_blob_reopen(b, 4));
    printf("  bytes after failed reopen %d\n", sqlite3_blob_bytes(b));
    blob_out(db, "  read expired", sqlite3_blob_read(b, buf, 1, 0));
    printf("  close %d\n", sqlite3_blob_close(b));

    blob_out(db, "open write", sqlite3_blob_open(db, "main", "b", "data", 1, 1, &b));
    blob_out(db, "  write start", sqlite3_blob_write(b, "ABCD", 4, 0));
    blob_out(db, "  write overflow", sqlite3_blob_write(b, "WXYZ", 4, 4998));
    blob_out(db, "  write past end", sqlite3_blob_write(b, "WXYZ", 4, 9998));
    printf("  close with blob open %d\n", sqlite3_close(db));
    printf("  close blob %d\n", sqlite3_blob_close(b));
    printf("  close NULL %d bytes NULL %d\n", sqlite3_blob_close(0), sqlite3_blob_bytes(0));
    sqlite3_prepare_v2(db, "SELECT hex(substr(data, 1, 6)), hex(substr(data, 4997, 6)), length(data) "
                           "FROM b WHERE id = 1", -1, &stmt, 0);
    sqlite3_step(stmt);
    printf("after writes %s %s %d\n", sqlite3_column_text(stmt, 0), sqlite3_column_text(stmt, 1),
           sqlite3_column_int(stmt, 2));
    sqlite3_finalize(stmt);

    sqlite3_blob_open(db, "main", "b", "t", 2, 1, &b);
    sqlite3_exec(db, "BEGIN", 0, 0, 0);
    blob_out(db, "text write in transaction", sqlite3_blob_write(b, "SOME", 4, 0));
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
    sqlite3_prepare_v2(db, "SELECT t FROM b WHERE id = 2", -1, &stmt, 0);
    sqlite3_step(stmt);
    printf("after rollback %s\n", sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    blob_out(db, "text write", sqlite3_blob_write(b, "SOME", 4, 0));
    sqlite3_blob_close(b);
    sqlite3_prepare_v2(db, "SELECT t FROM b WHERE id = 2", -1, &stmt, 0);
    sqlite3_step(stmt);
    printf("after commit %s\n", sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);

    sqlite3_blob_open(db, "main", "b", "data", 3, 0, &b);
    sqlite3_exec(db, "DELETE FROM b WHERE id = 3", 0, 0, 0);
    blob_out(db, "read deleted row", sqlite3_blob_read(b, buf, 4, 0));
    sqlite3_blob_close(b);
    sqlite3_close(db);
}

static int trace_callback(unsigned code, void *ctx, void *p, void *x) {
    switch (code) {
    case SQLITE_TRACE_STMT: {
        char *expanded = sqlite3_expanded_sql((sqlite3_stmt *)p);
        printf("%s STMT sql=[%s] expanded=[%s]\n", (const char *)ctx, (const char *)x,
               expanded ? expanded : "(NULL)");
        sqlite3_free(expanded);
        break;
    }
    case SQLITE_TRACE_PROFILE:
        printf("%s PROFILE sql=[%s] nanos>=0 %d\n", (const char *)ctx,
               sqlite3_sql((sqlite3_stmt *)p), *(sqlite3_int64 *)x >= 0);
        break;
    case SQLITE_TRACE_ROW:
        printf("%s ROW %s\n", (const char *)ctx, sqlite3_column_text((sqlite3_stmt *)p, 0));
        break;
    case SQLITE_TRACE_CLOSE:
        printf("%s CLOSE same db %d\n", (const char *)ctx, p != 0);
        break;
    }
    return 0;
}

/* trace_v2's events, expanded_sql's literals and decltype of an expression column. */
static void traces(void) {
    sqlite3 *db = open_memory();
    printf("exec %d\n", sqlite3_exec(db, "CREATE TABLE t(a INTEGER, b TEXT); "
                                         "INSERT INTO t VALUES (1, 'x'), (2, 'y')", 0, 0, 0));
    printf("trace_v2 %d\n", sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE |
                                                      SQLITE_TRACE_ROW | SQLITE_TRACE_CLOSE,
                                              trace_callback, "all"));
    sqlite3_stmt *stmt;
    sqlite3_prepare_v2(db, "SELECT a, ?, :n, ?5, ?, ?, :n FROM t WHERE b <> ?", -1, &stmt, 0);
    sqlite3_bind_double(stmt, 1, 0.1);
    sqlite3_bind_text(stmt, 2, "it's", -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(stmt, 5, "\x01\xab", 2, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 6, -9223372036854775807LL - 1);
    sqlite3_bind_double(stmt, 7, 1e100);
    char *expanded = sqlite3_expanded_sql(stmt);
    printf("expanded before step [%s]\n", expanded);
    sqlite3_free(expanded);
    printf("step %d\n", sqlite3_step(stmt));
    printf("reset mid-run %d\n", sqlite3_reset(stmt));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
    }
    for (int i = 0; i < 2; i++) {
        const char *t = sqlite3_column_decltype(stmt, i);
        printf("decltype %d [%s]\n", i, t ? t : "(NULL)");
    }
    sqlite3_finalize(stmt);
    printf("exec %d\n", sqlite3_exec(db, "SELECT 1; \v\n SELECT 2", 0, 0, 0));
    sqlite3_prepare_v2(db, "SELECT 1", -1, &stmt, 0);
    printf("trace off %d\n", sqlite3_trace_v2(db, 0, 0, 0));
    sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    const char *decl[] = {"SELECT t.a, b, rowid, a + 1, *, t.* FROM t",
                          "CREATE TABLE u(x, y int, id INTEGER PRIMARY KEY)",
                          "SELECT x, y, id, rowid, u.* FROM u", "SELECT a FROM t UNION SELECT 1"};
    for (int k = 0; k < 4; k++) {
        sqlite3_prepare_v2(db, decl[k], -1, &stmt, 0);
        printf("decltypes %s:", decl[k]);
        for (int i = 0; i < sqlite3_column_count(stmt); i++) {
            const char *t = sqlite3_column_decltype(stmt, i);
            printf(" [%s]", t ? t : "(NULL)");
        }
        printf("\n");
        sqlite3_step(stmt);
        sqlite3_finalize(stmt);
    }
    sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 2);
    const char *params[] = {"SELECT ?, ?", "SELECT ?, ?, ?", "SELECT :a, ?2", "SELECT ?3"};
    for (int k = 0; k < 4; k++) {
        int rc = sqlite3_prepare_v2(db, params[k], -1, &stmt, 0);
        printf("limited params %s: rc=%d %s\n", params[k], rc, rc ? sqlite3_errmsg(db) : "");
        sqlite3_finalize(stmt);
    }
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 20);
    sqlite3_prepare_v2(db, "SELECT ?", -1, &stmt, 0);
    const char *texts[] = {"short", "a text longer than the limit"};
    for (int k = 0; k < 2; k++) {
        sqlite3_bind_text(stmt, 1, texts[k], -1, SQLITE_STATIC);
        expanded = sqlite3_expanded_sql(stmt);
        printf("expanded under length limit [%s]\n", expanded ? expanded : "(NULL)");
        sqlite3_free(expanded);
    }
    sqlite3_finalize(stmt);
    printf("trace close only %d\n", sqlite3_trace_v2(db, SQLITE_TRACE_CLOSE, trace_callback, "close"));
    query(db, "SELECT 2");
    sqlite3_close(db);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    config();
    printfs();
    db_configs();
    status_and_facts(argv[1]);
    utf16();
    backups(argv[1]);
    serialize();
    blobs();
    traces();
    printf("sourceid: %s\n", sqlite3_sourceid());
    return 0;
}
