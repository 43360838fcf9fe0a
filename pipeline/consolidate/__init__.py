"""Cross-document tables derived from the base tables: `series` and `service_status`."""
