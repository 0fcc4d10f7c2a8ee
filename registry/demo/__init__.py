"""Demo data set (placeholder)."""
