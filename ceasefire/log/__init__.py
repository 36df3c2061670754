"""The append-only, tamper-evident incident log (RFC 6962 Merkle tree)."""
