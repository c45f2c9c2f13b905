"""The small typed domain shared by every layer: statuses, settings, records and the echo marker."""
