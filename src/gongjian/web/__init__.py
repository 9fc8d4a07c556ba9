"""The page kit every app's views and forms share: gates, paging and filters, form pages, buttons,
breadcrumbs, form widgets and choices, and pages that start a job.

Not an app (no models, not in INSTALLED_APPS). It sits on the ground floor: it imports ``core`` and
``accounts`` and never a domain app; helpers that need the map live in :mod:`gongjian.orgs.pages`.
"""
