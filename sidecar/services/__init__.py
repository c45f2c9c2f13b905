"""Service functions: where decisions live. No Flask imports; callers pass a session."""
