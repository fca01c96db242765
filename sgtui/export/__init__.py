"""The run engine: plan, read, prepare, upload, confirm, record (see ``engine``)."""
