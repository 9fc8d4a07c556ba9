"""Forms of the co-building pages, one module per part (agreements, meetings)."""
