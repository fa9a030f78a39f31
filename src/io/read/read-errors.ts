/** The fix for a record that does not parse, offered with every record-level error. */
export const SKIP_RECORDS_HINT = "fix the record, or pass onError: 'skip' to skip bad records (they are logged to errorLog)";

/** The fix for a file that cannot be read at all. */
export const SKIP_FILES_HINT = "check the file, or pass onError: 'skip' to skip unreadable files (they are logged to errorLog)";
