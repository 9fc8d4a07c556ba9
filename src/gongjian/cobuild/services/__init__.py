"""Services of the co-building app, one module per aggregate: agreements; seats (expanded
committees and their part-time seats, re-exported by agreements); meetings (joint meetings), with
agenda (topics and the agenda), resolutions (resolutions and action items) and consultations,
re-exported by meetings; meeting_rules (who may do what with meetings) and _shared (helpers of
agreements and seats)."""
