"""Flask-bound plumbing shared by every blueprint: access control, errors, headers, templating."""
