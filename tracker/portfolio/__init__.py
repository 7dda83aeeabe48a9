"""The fund's portfolio: pillars, grantee organisations and their projects."""
