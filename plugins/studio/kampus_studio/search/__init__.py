"""Studio's content search: find blocks of the courses one authors by words, block type and problem type."""
