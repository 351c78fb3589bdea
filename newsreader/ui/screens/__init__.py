"""The reader's screens beyond the main one."""
