"""Responsibility letters (责任书): templates, campaigns, issuing, signing and countersigning, sealed PDFs,
the archive and public verification."""
