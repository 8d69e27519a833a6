"""Access control: accounts, passwords, sessions, API tokens, TOTP, roles and permissions, the audit log."""
