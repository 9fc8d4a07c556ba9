"""Selectors of the co-building app, one module per part: agreements (agreements, committees and
part-time seats) and meetings (joint meetings, resolutions and action items, consultations)."""
