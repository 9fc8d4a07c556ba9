"""Views of the three lists, one module per part: claims (demands, resources and claiming from both
sides) and projects (projects, milestones, evidence, reports, ratings and the public board)."""
