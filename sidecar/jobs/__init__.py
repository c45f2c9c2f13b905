"""The outbox worker and one handler per job kind (docs/architecture.md, "Outbox and delivery")."""
