"""Services of the three lists, one module per aggregate: demands, resources and claims (claiming
from both sides, decisions, 交办; it re-exports demands, resources and list_rules, who may do what)
and projects (projects, milestones, evidence, reports, ratings and the public board)."""
