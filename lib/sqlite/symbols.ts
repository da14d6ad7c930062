/**
 * The SQLite C functions sqlink calls, as Deno FFI declarations. Only functions SQLite 3.40
 * has are required; newer ones are `optional` (the library may be older than the build
 * that named them).
 */

/** The declarations handed to `Deno.dlopen`. */
export const SYMBOLS = {
  sqlite3_libversion: { parameters: [], result: "pointer" },
  sqlite3_sourceid: { parameters: [], result: "pointer" },
  sqlite3_open_v2: { parameters: ["buffer", "buffer", "i32", "pointer"], result: "i32" },
  sqlite3_close_v2: { parameters: ["pointer"], result: "i32" },
  sqlite3_errmsg: { parameters: ["pointer"], result: "pointer" },
  sqlite3_errstr: { parameters: ["i32"], result: "pointer" },
  sqlite3_extended_errcode: { parameters: ["pointer"], result: "i32" },
  sqlite3_error_offset: { parameters: ["pointer"], result: "i32" },
  sqlite3_extended_result_codes: { parameters: ["pointer", "i32"], result: "i32" },
  // Variadic in C; every caller passes (int, int*) or (int, 0), which the x86-64 and
  // AArch64 calling conventions pass like these fixed parameters.
  sqlite3_db_config: { parameters: ["pointer", "i32", "i32", "pointer"], result: "i32" },
  sqlite3_limit: { parameters: ["pointer", "i32", "i32"], result: "i32" },
  sqlite3_busy_timeout: { parameters: ["pointer", "i32"], result: "i32" },
  sqlite3_interrupt: { parameters: ["pointer"], result: "void" },
  sqlite3_get_autocommit: { parameters: ["pointer"], result: "i32" },
  sqlite3_changes64: { parameters: ["pointer"], result: "i64" },
  sqlite3_total_changes64: { parameters: ["pointer"], result: "i64" },
  sqlite3_last_insert_rowid: { parameters: ["pointer"], result: "i64" },
  sqlite3_db_readonly: { parameters: ["pointer", "buffer"], result: "i32" },
  sqlite3_txn_state: { parameters: ["pointer", "buffer"], result: "i32" },
  sqlite3_db_filename: { parameters: ["pointer", "buffer"], result: "pointer" },
  sqlite3_load_extension: {
    parameters: ["pointer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  sqlite3_free: { parameters: ["pointer"], result: "void" },

  sqlite3_prepare_v2: {
    parameters: ["pointer", "buffer", "i32", "buffer", "buffer"],
    result: "i32",
  },
  sqlite3_step: { parameters: ["pointer"], result: "i32" },
  /** The same function, run on a worker thread so the event loop (and SIGINT) runs meanwhile. */
  sqlite3_step_async: {
    name: "sqlite3_step",
    parameters: ["pointer"],
    result: "i32",
    nonblocking: true,
  },
  sqlite3_reset: { parameters: ["pointer"], result: "i32" },
  sqlite3_finalize: { parameters: ["pointer"], result: "i32" },
  sqlite3_sql: { parameters: ["pointer"], result: "pointer" },
  sqlite3_expanded_sql: { parameters: ["pointer"], result: "pointer" },
  sqlite3_stmt_readonly: { parameters: ["pointer"], result: "i32" },
  sqlite3_stmt_isexplain: { parameters: ["pointer"], result: "i32" },
  sqlite3_stmt_status: { parameters: ["pointer", "i32", "i32"], result: "i32" },
  sqlite3_column_count: { parameters: ["pointer"], result: "i32" },
  sqlite3_column_name: { parameters: ["pointer", "i32"], result: "pointer" },
  sqlite3_column_decltype: { parameters: ["pointer", "i32"], result: "pointer" },
  sqlite3_column_type: { parameters: ["pointer", "i32"], result: "i32" },
  sqlite3_column_int64: { parameters: ["pointer", "i32"], result: "i64" },
  sqlite3_column_double: { parameters: ["pointer", "i32"], result: "f64" },
  sqlite3_column_text: { parameters: ["pointer", "i32"], result: "pointer" },
  sqlite3_column_blob: { parameters: ["pointer", "i32"], result: "pointer" },
  sqlite3_column_bytes: { parameters: ["pointer", "i32"], result: "i32" },
  sqlite3_data_count: { parameters: ["pointer"], result: "i32" },

  sqlite3_bind_parameter_count: { parameters: ["pointer"], result: "i32" },
  sqlite3_bind_parameter_name: { parameters: ["pointer", "i32"], result: "pointer" },
  sqlite3_bind_null: { parameters: ["pointer", "i32"], result: "i32" },
  sqlite3_bind_int64: { parameters: ["pointer", "i32", "i64"], result: "i32" },
  sqlite3_bind_double: { parameters: ["pointer", "i32", "f64"], result: "i32" },
  sqlite3_bind_text: {
    parameters: ["pointer", "i32", "buffer", "i32", "pointer"],
    result: "i32",
  },
  sqlite3_bind_blob: {
    parameters: ["pointer", "i32", "buffer", "i32", "pointer"],
    result: "i32",
  },

  sqlite3_create_function_v2: {
    parameters: [
      "pointer",
      "buffer",
      "i32",
      "i32",
      "pointer",
      "function",
      "pointer",
      "pointer",
      "pointer",
    ],
    result: "i32",
  },
  sqlite3_value_type: { parameters: ["pointer"], result: "i32" },
  sqlite3_value_int64: { parameters: ["pointer"], result: "i64" },
  sqlite3_value_double: { parameters: ["pointer"], result: "f64" },
  sqlite3_value_text: { parameters: ["pointer"], result: "pointer" },
  sqlite3_value_blob: { parameters: ["pointer"], result: "pointer" },
  sqlite3_value_bytes: { parameters: ["pointer"], result: "i32" },
  sqlite3_result_null: { parameters: ["pointer"], result: "void" },
  sqlite3_result_int64: { parameters: ["pointer", "i64"], result: "void" },
  sqlite3_result_double: { parameters: ["pointer", "f64"], result: "void" },
  sqlite3_result_text: { parameters: ["pointer", "buffer", "i32", "pointer"], result: "void" },
  sqlite3_result_blob: { parameters: ["pointer", "buffer", "i32", "pointer"], result: "void" },
  sqlite3_result_error: { parameters: ["pointer", "buffer", "i32"], result: "void" },

  sqlite3_backup_init: {
    parameters: ["pointer", "buffer", "pointer", "buffer"],
    result: "pointer",
  },
  sqlite3_backup_step: { parameters: ["pointer", "i32"], result: "i32" },
  sqlite3_backup_finish: { parameters: ["pointer"], result: "i32" },

  sqlite3_progress_handler: {
    parameters: ["pointer", "i32", "function", "pointer"],
    result: "void",
  },
  sqlite3_trace_v2: {
    parameters: ["pointer", "u32", "function", "pointer"],
    result: "i32",
  },
  sqlite3_db_status: {
    parameters: ["pointer", "i32", "buffer", "buffer", "i32"],
    result: "i32",
  },
  sqlite3_status64: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened library's functions. */
export type Sqlite3 = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
