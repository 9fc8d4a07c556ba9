"""What a page may show beside a masked member."""

from __future__ import annotations

from typing import Any

from django import template

from gongjian.members import services
from gongjian.members.models import Member

register = template.Library()


@register.simple_tag(takes_context=True)
def birth_year(context: dict[str, Any], member: Member) -> str:
    """The member's birth year for a viewer who may reveal their numbers, else "" (beside the
    masked ID number, the year narrows it to a few dozen candidates)."""
    request = context.get("request")
    if request is None or not services.member_reveal_allowed(actor=request.user, member=member):
        return ""
    return str(member.birth_date.year)
