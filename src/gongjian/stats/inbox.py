"""What the data-quality checks leave for administrators (registered into ``gongjian.web.inbox``
from ``apps.py``): for each of their top nodes, one line per check that found records at the last
count ("数据质量：…"), linked to the records. Read from the kept counts, never counted here."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongjian.web.inbox import ADMIN, InboxContext, InboxItem

from .quality import quality_waiting
from .reports import indicator_name
from .views import rows_url


def admin_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_admin:
        return
    for area, rule, count in quality_waiting(actor=ctx.actor):
        yield InboxItem(
            kind=rule.id,
            audience=ADMIN,
            title=_("Data quality: %(check)s (%(area)s)")
            % {"check": indicator_name(rule), "area": area.name},
            count=count,
            url=rows_url(area, rule.id, ctx.today),
            action=pgettext("action", "Check"),
        )


PROVIDERS = (admin_items,)
