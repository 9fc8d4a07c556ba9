"""Services of the co-building app, one module per part: agreements, seats (expanded committees and
their part-time seats, re-exported by agreements) and meetings (joint meetings, resolutions and
action items, consultations)."""
