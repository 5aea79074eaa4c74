/// The append-only, hash-chained JSON Lines audit log.
public enum FerryAuditModule {}
