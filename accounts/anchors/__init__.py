"""链头存证: every audit chain's head, timestamped outside the database (ADR 0011)."""
