"""Reminders (提醒): the registry of sources, the ledger swept and sent, and the notification centre."""
