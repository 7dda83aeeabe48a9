"""Accounts, roles, login sessions and the permission rules every view goes through."""
