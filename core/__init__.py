"""Mechanisms every subdomain shares, with no models of its own: application errors, the append-only base,
the audit-chain mechanism, the clock, deadlines, locks, versions, the PDF engine and HTTP helpers."""
