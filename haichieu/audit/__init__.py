"""The audit pages (issue 9): the organisation department's audit log, and a member's own view of
who opened their record and download of their own data. No models: the log is core's AuditEntry,
read through the access rule (access.audit_entries_visible_to, access.own_record_reads)."""
