"""HTTP API: one blueprint per capability; views load a schema, call a service, dump the result."""
