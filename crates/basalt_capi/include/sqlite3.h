/*
 * sqlite3.h for Basalt's libsqlite3: the declarations and constants of SQLite 3.54's C API for
 * the functions this library exports (see COMPAT.md, "C API"). Written for Basalt from SQLite's
 * documented interface; names and values match SQLite's so programs build unchanged.
 */
#ifndef BASALT_SQLITE3_H
#define BASALT_SQLITE3_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SQLITE_VERSION        "3.54.1"
#define SQLITE_VERSION_NUMBER 3054001
#define SQLITE_SOURCE_ID      "Basalt 0.1.0: SQLite 3.54.1 C API over the Basalt engine"

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef long long int sqlite_int64;
typedef unsigned long long int sqlite_uint64;
typedef sqlite_int64 sqlite3_int64;
typedef sqlite_uint64 sqlite3_uint64;
typedef void (*sqlite3_destructor_type)(void *);
typedef int (*sqlite3_callback)(void *, int, char **, char **);

/* Result codes. */
#define SQLITE_OK           0
#define SQLITE_ERROR        1
#define SQLITE_INTERNAL     2
#define SQLITE_PERM         3
#define SQLITE_ABORT        4
#define SQLITE_BUSY         5
#define SQLITE_LOCKED       6
#define SQLITE_NOMEM        7
#define SQLITE_READONLY     8
#define SQLITE_INTERRUPT    9
#define SQLITE_IOERR       10
#define SQLITE_CORRUPT     11
#define SQLITE_NOTFOUND    12
#define SQLITE_FULL        13
#define SQLITE_CANTOPEN    14
#define SQLITE_PROTOCOL    15
#define SQLITE_EMPTY       16
#define SQLITE_SCHEMA      17
#define SQLITE_TOOBIG      18
#define SQLITE_CONSTRAINT  19
#define SQLITE_MISMATCH    20
#define SQLITE_MISUSE      21
#define SQLITE_NOLFS       22
#define SQLITE_AUTH        23
#define SQLITE_FORMAT      24
#define SQLITE_RANGE       25
#define SQLITE_NOTADB      26
#define SQLITE_NOTICE      27
#define SQLITE_WARNING     28
#define SQLITE_ROW         100
#define SQLITE_DONE        101

/* Extended result codes this library reports. */
#define SQLITE_ABORT_ROLLBACK          (SQLITE_ABORT | (2 << 8))
#define SQLITE_CONSTRAINT_CHECK        (SQLITE_CONSTRAINT | (1 << 8))
#define SQLITE_CONSTRAINT_FOREIGNKEY   (SQLITE_CONSTRAINT | (3 << 8))
#define SQLITE_CONSTRAINT_NOTNULL      (SQLITE_CONSTRAINT | (5 << 8))
#define SQLITE_CONSTRAINT_PRIMARYKEY   (SQLITE_CONSTRAINT | (6 << 8))
#define SQLITE_CONSTRAINT_TRIGGER      (SQLITE_CONSTRAINT | (7 << 8))
#define SQLITE_CONSTRAINT_UNIQUE       (SQLITE_CONSTRAINT | (8 << 8))
#define SQLITE_CONSTRAINT_ROWID        (SQLITE_CONSTRAINT | (10 << 8))

/* Flags of sqlite3_open_v2. */
#define SQLITE_OPEN_READONLY      0x00000001
#define SQLITE_OPEN_READWRITE     0x00000002
#define SQLITE_OPEN_CREATE        0x00000004
#define SQLITE_OPEN_URI           0x00000040
#define SQLITE_OPEN_MEMORY        0x00000080
#define SQLITE_OPEN_NOMUTEX       0x00008000
#define SQLITE_OPEN_FULLMUTEX     0x00010000
#define SQLITE_OPEN_SHAREDCACHE   0x00020000
#define SQLITE_OPEN_PRIVATECACHE  0x00040000
#define SQLITE_OPEN_NOFOLLOW      0x01000000
#define SQLITE_OPEN_EXRESCODE     0x02000000

/* Flags of sqlite3_prepare_v3 (accepted; they change nothing in Basalt). */
#define SQLITE_PREPARE_PERSISTENT 0x01
#define SQLITE_PREPARE_NORMALIZE  0x02
#define SQLITE_PREPARE_NO_VTAB    0x04

/* Fundamental datatypes. */
#define SQLITE_INTEGER 1
#define SQLITE_FLOAT   2
#define SQLITE_TEXT    3
#define SQLITE_BLOB    4
#define SQLITE_NULL    5
#define SQLITE3_TEXT   3

/* Text encodings. */
#define SQLITE_UTF8 1

/* Destructor special values for bound text and blobs. */
#define SQLITE_STATIC    ((sqlite3_destructor_type)0)
#define SQLITE_TRANSIENT ((sqlite3_destructor_type)-1)

/* Library. */
const char *sqlite3_libversion(void);
int sqlite3_libversion_number(void);
const char *sqlite3_sourceid(void);
int sqlite3_threadsafe(void);
int sqlite3_complete(const char *sql);

/* Memory. */
void *sqlite3_malloc(int n);
void *sqlite3_malloc64(sqlite3_uint64 n);
void *sqlite3_realloc(void *p, int n);
void *sqlite3_realloc64(void *p, sqlite3_uint64 n);
void sqlite3_free(void *p);

/* Connections. */
int sqlite3_open(const char *filename, sqlite3 **ppDb);
int sqlite3_open_v2(const char *filename, sqlite3 **ppDb, int flags, const char *zVfs);
int sqlite3_close(sqlite3 *db);
int sqlite3_close_v2(sqlite3 *db);
int sqlite3_errcode(sqlite3 *db);
int sqlite3_extended_errcode(sqlite3 *db);
const char *sqlite3_errmsg(sqlite3 *db);
const char *sqlite3_errstr(int rc);
int sqlite3_changes(sqlite3 *db);
sqlite3_int64 sqlite3_changes64(sqlite3 *db);
int sqlite3_total_changes(sqlite3 *db);
sqlite3_int64 sqlite3_total_changes64(sqlite3 *db);
sqlite3_int64 sqlite3_last_insert_rowid(sqlite3 *db);
int sqlite3_get_autocommit(sqlite3 *db);
void sqlite3_interrupt(sqlite3 *db);
int sqlite3_busy_timeout(sqlite3 *db, int ms);
int sqlite3_busy_handler(sqlite3 *db, int (*xBusy)(void *, int), void *pArg);
int sqlite3_exec(sqlite3 *db, const char *sql, int (*callback)(void *, int, char **, char **),
                 void *arg, char **errmsg);

/* Prepared statements. */
int sqlite3_prepare_v2(sqlite3 *db, const char *zSql, int nByte, sqlite3_stmt **ppStmt,
                       const char **pzTail);
int sqlite3_prepare(sqlite3 *db, const char *zSql, int nByte, sqlite3_stmt **ppStmt,
                    const char **pzTail);
int sqlite3_prepare_v3(sqlite3 *db, const char *zSql, int nByte, unsigned int prepFlags,
                       sqlite3_stmt **ppStmt, const char **pzTail);
int sqlite3_step(sqlite3_stmt *pStmt);
int sqlite3_reset(sqlite3_stmt *pStmt);
int sqlite3_finalize(sqlite3_stmt *pStmt);
int sqlite3_clear_bindings(sqlite3_stmt *pStmt);
sqlite3 *sqlite3_db_handle(sqlite3_stmt *pStmt);
const char *sqlite3_sql(sqlite3_stmt *pStmt);
int sqlite3_stmt_readonly(sqlite3_stmt *pStmt);
int sqlite3_stmt_busy(sqlite3_stmt *pStmt);
char *sqlite3_expanded_sql(sqlite3_stmt *pStmt);
const char *sqlite3_column_decltype(sqlite3_stmt *pStmt, int i);
const char *sqlite3_column_database_name(sqlite3_stmt *pStmt, int i);
const char *sqlite3_column_table_name(sqlite3_stmt *pStmt, int i);
const char *sqlite3_column_origin_name(sqlite3_stmt *pStmt, int i);
#define SQLITE_TRACE_STMT 0x01
#define SQLITE_TRACE_PROFILE 0x02
#define SQLITE_TRACE_ROW 0x04
#define SQLITE_TRACE_CLOSE 0x08
int sqlite3_trace_v2(sqlite3 *db, unsigned uMask,
                     int (*xCallback)(unsigned, void *, void *, void *), void *pCtx);
int sqlite3_data_count(sqlite3_stmt *pStmt);

int sqlite3_bind_null(sqlite3_stmt *pStmt, int i);
int sqlite3_bind_int(sqlite3_stmt *pStmt, int i, int value);
int sqlite3_bind_int64(sqlite3_stmt *pStmt, int i, sqlite3_int64 value);
int sqlite3_bind_double(sqlite3_stmt *pStmt, int i, double value);
int sqlite3_bind_text(sqlite3_stmt *pStmt, int i, const char *text, int n, void (*destructor)(void *));
int sqlite3_bind_blob(sqlite3_stmt *pStmt, int i, const void *blob, int n, void (*destructor)(void *));
int sqlite3_bind_blob64(sqlite3_stmt *pStmt, int i, const void *blob, sqlite3_uint64 n,
                        void (*destructor)(void *));
int sqlite3_bind_text64(sqlite3_stmt *pStmt, int i, const char *text, sqlite3_uint64 n,
                        void (*destructor)(void *), unsigned char encoding);
int sqlite3_bind_zeroblob(sqlite3_stmt *pStmt, int i, int n);
int sqlite3_bind_zeroblob64(sqlite3_stmt *pStmt, int i, sqlite3_uint64 n);
int sqlite3_bind_parameter_count(sqlite3_stmt *pStmt);
int sqlite3_bind_parameter_index(sqlite3_stmt *pStmt, const char *zName);
const char *sqlite3_bind_parameter_name(sqlite3_stmt *pStmt, int i);

int sqlite3_column_count(sqlite3_stmt *pStmt);
const char *sqlite3_column_name(sqlite3_stmt *pStmt, int i);
int sqlite3_column_type(sqlite3_stmt *pStmt, int i);
int sqlite3_column_int(sqlite3_stmt *pStmt, int i);
sqlite3_int64 sqlite3_column_int64(sqlite3_stmt *pStmt, int i);
double sqlite3_column_double(sqlite3_stmt *pStmt, int i);
const unsigned char *sqlite3_column_text(sqlite3_stmt *pStmt, int i);
const void *sqlite3_column_blob(sqlite3_stmt *pStmt, int i);
int sqlite3_column_bytes(sqlite3_stmt *pStmt, int i);

/* ---- printf, config, status, UTF-16, backup, blob I/O and serialize (see COMPAT.md) ---- */
typedef struct sqlite3_backup sqlite3_backup;

char *sqlite3_mprintf(const char *zFormat, ...);
char *sqlite3_vmprintf(const char *zFormat, va_list ap);
char *sqlite3_snprintf(int n, char *zBuf, const char *zFormat, ...);
char *sqlite3_vsnprintf(int n, char *zBuf, const char *zFormat, va_list ap);
void sqlite3_log(int iErrCode, const char *zFormat, ...);

int sqlite3_initialize(void);
int sqlite3_shutdown(void);
int sqlite3_config(int op, ...);
int sqlite3_db_config(sqlite3 *db, int op, ...);
#define SQLITE_CONFIG_SINGLETHREAD         1
#define SQLITE_CONFIG_MULTITHREAD          2
#define SQLITE_CONFIG_SERIALIZED           3
#define SQLITE_CONFIG_MALLOC               4
#define SQLITE_CONFIG_GETMALLOC            5
#define SQLITE_CONFIG_SCRATCH              6
#define SQLITE_CONFIG_PAGECACHE            7
#define SQLITE_CONFIG_HEAP                 8
#define SQLITE_CONFIG_MEMSTATUS            9
#define SQLITE_CONFIG_MUTEX               10
#define SQLITE_CONFIG_GETMUTEX            11
#define SQLITE_CONFIG_LOOKASIDE           13
#define SQLITE_CONFIG_PCACHE              14
#define SQLITE_CONFIG_GETPCACHE           15
#define SQLITE_CONFIG_LOG                 16
#define SQLITE_CONFIG_URI                 17
#define SQLITE_CONFIG_PCACHE2             18
#define SQLITE_CONFIG_GETPCACHE2          19
#define SQLITE_CONFIG_COVERING_INDEX_SCAN 20
#define SQLITE_CONFIG_SQLLOG              21
#define SQLITE_CONFIG_MMAP_SIZE           22
#define SQLITE_CONFIG_WIN32_HEAPSIZE      23
#define SQLITE_CONFIG_PCACHE_HDRSZ        24
#define SQLITE_CONFIG_PMASZ               25
#define SQLITE_CONFIG_STMTJRNL_SPILL      26
#define SQLITE_CONFIG_SMALL_MALLOC        27
#define SQLITE_CONFIG_SORTERREF_SIZE      28
#define SQLITE_CONFIG_MEMDB_MAXSIZE       29
#define SQLITE_CONFIG_ROWID_IN_VIEW       30
#define SQLITE_DBCONFIG_MAINDBNAME            1000
#define SQLITE_DBCONFIG_LOOKASIDE             1001
#define SQLITE_DBCONFIG_ENABLE_FKEY           1002
#define SQLITE_DBCONFIG_ENABLE_TRIGGER        1003
#define SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER 1004
#define SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION 1005
#define SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE      1006
#define SQLITE_DBCONFIG_ENABLE_QPSG           1007
#define SQLITE_DBCONFIG_TRIGGER_EQP           1008
#define SQLITE_DBCONFIG_RESET_DATABASE        1009
#define SQLITE_DBCONFIG_DEFENSIVE             1010
#define SQLITE_DBCONFIG_WRITABLE_SCHEMA       1011
#define SQLITE_DBCONFIG_LEGACY_ALTER_TABLE    1012
#define SQLITE_DBCONFIG_DQS_DML               1013
#define SQLITE_DBCONFIG_DQS_DDL               1014
#define SQLITE_DBCONFIG_ENABLE_VIEW           1015
#define SQLITE_DBCONFIG_LEGACY_FILE_FORMAT    1016
#define SQLITE_DBCONFIG_TRUSTED_SCHEMA        1017
#define SQLITE_DBCONFIG_STMT_SCANSTATUS       1018
#define SQLITE_DBCONFIG_REVERSE_SCANORDER     1019
#define SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE  1020
#define SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE   1021
#define SQLITE_DBCONFIG_ENABLE_COMMENTS       1022

int sqlite3_status(int op, int *pCurrent, int *pHighwater, int resetFlag);
int sqlite3_status64(int op, sqlite3_int64 *pCurrent, sqlite3_int64 *pHighwater, int resetFlag);
int sqlite3_db_status(sqlite3 *db, int op, int *pCur, int *pHiwtr, int resetFlg);
int sqlite3_stmt_status(sqlite3_stmt *pStmt, int op, int resetFlg);
#define SQLITE_STATUS_MEMORY_USED          0
#define SQLITE_STATUS_PAGECACHE_USED       1
#define SQLITE_STATUS_PAGECACHE_OVERFLOW   2
#define SQLITE_STATUS_MALLOC_SIZE          5
#define SQLITE_STATUS_PARSER_STACK         6
#define SQLITE_STATUS_PAGECACHE_SIZE       7
#define SQLITE_STATUS_MALLOC_COUNT         9
#define SQLITE_DBSTATUS_LOOKASIDE_USED       0
#define SQLITE_DBSTATUS_CACHE_USED           1
#define SQLITE_DBSTATUS_SCHEMA_USED          2
#define SQLITE_DBSTATUS_STMT_USED            3
#define SQLITE_DBSTATUS_LOOKASIDE_HIT        4
#define SQLITE_DBSTATUS_LOOKASIDE_MISS_SIZE  5
#define SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL  6
#define SQLITE_DBSTATUS_CACHE_HIT            7
#define SQLITE_DBSTATUS_CACHE_MISS           8
#define SQLITE_DBSTATUS_CACHE_WRITE          9
#define SQLITE_DBSTATUS_DEFERRED_FKS        10
#define SQLITE_DBSTATUS_CACHE_USED_SHARED   11
#define SQLITE_DBSTATUS_CACHE_SPILL         12
#define SQLITE_STMTSTATUS_FULLSCAN_STEP     1
#define SQLITE_STMTSTATUS_SORT              2
#define SQLITE_STMTSTATUS_AUTOINDEX         3
#define SQLITE_STMTSTATUS_VM_STEP           4
#define SQLITE_STMTSTATUS_REPREPARE         5
#define SQLITE_STMTSTATUS_RUN               6
#define SQLITE_STMTSTATUS_FILTER_MISS       7
#define SQLITE_STMTSTATUS_FILTER_HIT        8
#define SQLITE_STMTSTATUS_MEMUSED           99

int sqlite3_limit(sqlite3 *db, int id, int newVal);
#define SQLITE_LIMIT_LENGTH                    0
#define SQLITE_LIMIT_SQL_LENGTH                1
#define SQLITE_LIMIT_COLUMN                    2
#define SQLITE_LIMIT_EXPR_DEPTH                3
#define SQLITE_LIMIT_COMPOUND_SELECT           4
#define SQLITE_LIMIT_VDBE_OP                   5
#define SQLITE_LIMIT_FUNCTION_ARG              6
#define SQLITE_LIMIT_ATTACHED                  7
#define SQLITE_LIMIT_LIKE_PATTERN_LENGTH       8
#define SQLITE_LIMIT_VARIABLE_NUMBER           9
#define SQLITE_LIMIT_TRIGGER_DEPTH            10
#define SQLITE_LIMIT_WORKER_THREADS           11

const char *sqlite3_db_filename(sqlite3 *db, const char *zDbName);
int sqlite3_db_readonly(sqlite3 *db, const char *zDbName);
int sqlite3_txn_state(sqlite3 *db, const char *zSchema);
#define SQLITE_TXN_NONE  0
#define SQLITE_TXN_READ  1
#define SQLITE_TXN_WRITE 2
int sqlite3_extended_result_codes(sqlite3 *db, int onoff);
int sqlite3_table_column_metadata(sqlite3 *db, const char *zDbName, const char *zTableName,
                                  const char *zColumnName, char const **pzDataType,
                                  char const **pzCollSeq, int *pNotNull, int *pPrimaryKey,
                                  int *pAutoinc);
int sqlite3_enable_shared_cache(int);
void sqlite3_randomness(int N, void *P);
int sqlite3_sleep(int ms);
int sqlite3_enable_load_extension(sqlite3 *db, int onoff);
int sqlite3_load_extension(sqlite3 *db, const char *zFile, const char *zProc, char **pzErrMsg);
int sqlite3_strglob(const char *zGlob, const char *zStr);
int sqlite3_strlike(const char *zGlob, const char *zStr, unsigned int cEsc);
int sqlite3_stricmp(const char *, const char *);
int sqlite3_strnicmp(const char *, const char *, int);

#define SQLITE_UTF16LE 2
#define SQLITE_UTF16BE 3
#define SQLITE_UTF16   4
int sqlite3_open16(const void *filename, sqlite3 **ppDb);
int sqlite3_prepare16_v2(sqlite3 *db, const void *zSql, int nByte, sqlite3_stmt **ppStmt,
                         const void **pzTail);
int sqlite3_prepare16(sqlite3 *db, const void *zSql, int nByte, sqlite3_stmt **ppStmt,
                      const void **pzTail);
int sqlite3_prepare16_v3(sqlite3 *db, const void *zSql, int nByte, unsigned int prepFlags,
                         sqlite3_stmt **ppStmt, const void **pzTail);
int sqlite3_bind_text16(sqlite3_stmt *pStmt, int i, const void *text, int n, void (*destructor)(void *));
const void *sqlite3_column_text16(sqlite3_stmt *pStmt, int i);
int sqlite3_column_bytes16(sqlite3_stmt *pStmt, int i);
const void *sqlite3_column_name16(sqlite3_stmt *pStmt, int i);
const void *sqlite3_errmsg16(sqlite3 *db);
int sqlite3_complete16(const void *sql);

sqlite3_backup *sqlite3_backup_init(sqlite3 *pDest, const char *zDestName, sqlite3 *pSource,
                                    const char *zSourceName);
int sqlite3_backup_step(sqlite3_backup *p, int nPage);
int sqlite3_backup_finish(sqlite3_backup *p);
int sqlite3_backup_remaining(sqlite3_backup *p);
int sqlite3_backup_pagecount(sqlite3_backup *p);

unsigned char *sqlite3_serialize(sqlite3 *db, const char *zSchema, sqlite3_int64 *piSize,
                                 unsigned int mFlags);
int sqlite3_deserialize(sqlite3 *db, const char *zSchema, unsigned char *pData, sqlite3_int64 szDb,
                        sqlite3_int64 szBuf, unsigned mFlags);
typedef struct sqlite3_blob sqlite3_blob;
int sqlite3_blob_open(sqlite3 *db, const char *zDb, const char *zTable, const char *zColumn,
                      sqlite3_int64 iRow, int flags, sqlite3_blob **ppBlob);
int sqlite3_blob_reopen(sqlite3_blob *pBlob, sqlite3_int64 iRow);
int sqlite3_blob_close(sqlite3_blob *pBlob);
int sqlite3_blob_bytes(sqlite3_blob *pBlob);
int sqlite3_blob_read(sqlite3_blob *pBlob, void *Z, int N, int iOffset);
int sqlite3_blob_write(sqlite3_blob *pBlob, const void *z, int n, int iOffset);

#define SQLITE_SERIALIZE_NOCOPY 0x001
#define SQLITE_DESERIALIZE_FREEONCLOSE 1
#define SQLITE_DESERIALIZE_RESIZEABLE  2
#define SQLITE_DESERIALIZE_READONLY    4
/* ---- end of printf, config, status, UTF-16, backup, blob I/O and serialize ---- */
/* ---- Application-defined functions, collations, values and hooks (function.rs, value.rs,
 * hooks.rs) ---- */
typedef struct sqlite3_context sqlite3_context;
typedef struct sqlite3_value sqlite3_value;

#define SQLITE_UTF16LE 2
#define SQLITE_UTF16BE 3
#define SQLITE_UTF16 4
#define SQLITE_ANY 5
#define SQLITE_UTF16_ALIGNED 8
#define SQLITE_DETERMINISTIC 0x000000800
#define SQLITE_DIRECTONLY 0x000080000
#define SQLITE_SUBTYPE 0x000100000
#define SQLITE_INNOCUOUS 0x000200000
#define SQLITE_RESULT_SUBTYPE 0x001000000
#define SQLITE_SELFORDER1 0x002000000

int sqlite3_create_function(sqlite3 *db, const char *zFunctionName, int nArg, int eTextRep,
    void *pApp, void (*xFunc)(sqlite3_context *, int, sqlite3_value **),
    void (*xStep)(sqlite3_context *, int, sqlite3_value **), void (*xFinal)(sqlite3_context *));
int sqlite3_create_function_v2(sqlite3 *db, const char *zFunctionName, int nArg, int eTextRep,
    void *pApp, void (*xFunc)(sqlite3_context *, int, sqlite3_value **),
    void (*xStep)(sqlite3_context *, int, sqlite3_value **), void (*xFinal)(sqlite3_context *),
    void (*xDestroy)(void *));
int sqlite3_create_window_function(sqlite3 *db, const char *zFunctionName, int nArg,
    int eTextRep, void *pApp, void (*xStep)(sqlite3_context *, int, sqlite3_value **),
    void (*xFinal)(sqlite3_context *), void (*xValue)(sqlite3_context *),
    void (*xInverse)(sqlite3_context *, int, sqlite3_value **), void (*xDestroy)(void *));
int sqlite3_create_collation(sqlite3 *db, const char *zName, int eTextRep, void *pArg,
    int (*xCompare)(void *, int, const void *, int, const void *));
int sqlite3_create_collation_v2(sqlite3 *db, const char *zName, int eTextRep, void *pArg,
    int (*xCompare)(void *, int, const void *, int, const void *), void (*xDestroy)(void *));
int sqlite3_collation_needed(sqlite3 *db, void *pArg,
    void (*)(void *, sqlite3 *, int eTextRep, const char *));

void *sqlite3_aggregate_context(sqlite3_context *ctx, int nBytes);
void *sqlite3_user_data(sqlite3_context *ctx);
sqlite3 *sqlite3_context_db_handle(sqlite3_context *ctx);
void *sqlite3_get_auxdata(sqlite3_context *ctx, int N);
void sqlite3_set_auxdata(sqlite3_context *ctx, int N, void *pAux, void (*xDelete)(void *));

const void *sqlite3_value_blob(sqlite3_value *v);
double sqlite3_value_double(sqlite3_value *v);
int sqlite3_value_int(sqlite3_value *v);
sqlite3_int64 sqlite3_value_int64(sqlite3_value *v);
const unsigned char *sqlite3_value_text(sqlite3_value *v);
int sqlite3_value_bytes(sqlite3_value *v);
int sqlite3_value_type(sqlite3_value *v);
int sqlite3_value_numeric_type(sqlite3_value *v);
int sqlite3_value_nochange(sqlite3_value *v);
int sqlite3_value_frombind(sqlite3_value *v);
unsigned int sqlite3_value_subtype(sqlite3_value *v);
sqlite3_value *sqlite3_value_dup(const sqlite3_value *v);
void sqlite3_value_free(sqlite3_value *v);

void sqlite3_result_blob(sqlite3_context *ctx, const void *z, int n, void (*xDel)(void *));
void sqlite3_result_blob64(sqlite3_context *ctx, const void *z, sqlite3_uint64 n,
    void (*xDel)(void *));
void sqlite3_result_double(sqlite3_context *ctx, double v);
void sqlite3_result_error(sqlite3_context *ctx, const char *z, int n);
void sqlite3_result_error_toobig(sqlite3_context *ctx);
void sqlite3_result_error_nomem(sqlite3_context *ctx);
void sqlite3_result_error_code(sqlite3_context *ctx, int code);
void sqlite3_result_int(sqlite3_context *ctx, int v);
void sqlite3_result_int64(sqlite3_context *ctx, sqlite3_int64 v);
void sqlite3_result_null(sqlite3_context *ctx);
void sqlite3_result_text(sqlite3_context *ctx, const char *z, int n, void (*xDel)(void *));
void sqlite3_result_text64(sqlite3_context *ctx, const char *z, sqlite3_uint64 n,
    void (*xDel)(void *), unsigned char encoding);
void sqlite3_result_value(sqlite3_context *ctx, sqlite3_value *v);
void sqlite3_result_zeroblob(sqlite3_context *ctx, int n);
int sqlite3_result_zeroblob64(sqlite3_context *ctx, sqlite3_uint64 n);
void sqlite3_result_subtype(sqlite3_context *ctx, unsigned int subtype);

int sqlite3_bind_value(sqlite3_stmt *pStmt, int i, const sqlite3_value *v);
sqlite3_value *sqlite3_column_value(sqlite3_stmt *pStmt, int iCol);

void *sqlite3_commit_hook(sqlite3 *db, int (*xCallback)(void *), void *pArg);
void *sqlite3_rollback_hook(sqlite3 *db, void (*xCallback)(void *), void *pArg);
void *sqlite3_update_hook(sqlite3 *db,
    void (*xCallback)(void *, int, char const *, char const *, sqlite3_int64), void *pArg);
#define SQLITE_DELETE 9
#define SQLITE_INSERT 18
#define SQLITE_UPDATE 23
void sqlite3_progress_handler(sqlite3 *db, int nOps, int (*xProgress)(void *), void *pArg);
int sqlite3_set_authorizer(sqlite3 *db,
    int (*xAuth)(void *, int, const char *, const char *, const char *, const char *),
    void *pUserData);
/* ---- end of application-defined functions section ---- */

/* Write-ahead log checkpoints. */
#define SQLITE_CHECKPOINT_PASSIVE 0
#define SQLITE_CHECKPOINT_FULL 1
#define SQLITE_CHECKPOINT_RESTART 2
#define SQLITE_CHECKPOINT_TRUNCATE 3
int sqlite3_wal_checkpoint_v2(sqlite3 *db, const char *zDb, int eMode, int *pnLog, int *pnCkpt);
int sqlite3_wal_checkpoint(sqlite3 *db, const char *zDb);
int sqlite3_wal_autocheckpoint(sqlite3 *db, int N);

#ifdef __cplusplus
}
#endif

#endif /* BASALT_SQLITE3_H */
