"""The outbox worker and one handler per job kind (DESIGN.md: jobs/)."""
