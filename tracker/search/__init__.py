"""Permission-aware full-text search over outcomes and stories (SQLite FTS5, PostgreSQL full text)."""
