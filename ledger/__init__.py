"""Tamper-evident ledger: RFC 6962 / RFC 9162 Merkle trees over the event log."""
