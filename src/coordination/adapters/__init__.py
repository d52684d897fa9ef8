"""What the application talks to outside its own model: the database (event store,
own tables), the hash chains and signatures of the audit trail, printable reports,
the process (logs, heap)."""
