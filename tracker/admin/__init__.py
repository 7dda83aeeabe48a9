"""Administration: user accounts, roles and project memberships."""
