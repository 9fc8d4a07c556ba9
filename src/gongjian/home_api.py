"""``GET /api/v1/inbox/``: what waits for the signed-in person, the home page's list as JSON.

It reads every app's providers (``gongjian.web.inbox``), so it sits with the wiring beside
``home.py``, above the apps.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.web import inbox


class InboxItemSerializer(serializers.Serializer[inbox.InboxItem]):
    kind = serializers.CharField(help_text="A stable id: <app>.<what>, e.g. lists.claims_to_accept.")
    audience = serializers.ChoiceField(
        choices=list(inbox.AUDIENCES), help_text="The role the item is for: admin, liaison, member, resident."
    )
    title = serializers.CharField(help_text="What waits, in the request's language.")
    count = serializers.IntegerField()
    url = serializers.CharField(help_text="The page to act on it (a path on this site).")
    action = serializers.CharField(help_text="The action's label.")
    oldest = serializers.DateField(allow_null=True, help_text="The oldest waiting record's date.")
    due = serializers.DateField(allow_null=True, help_text="The earliest time limit, if any.")
    overdue = serializers.BooleanField()
    urgency = serializers.IntegerField(help_text="0 normal, 1 due soon, 2 overdue.")
    actionable = serializers.BooleanField(help_text="False for news (a decision on one's claim).")
    note = serializers.CharField(
        allow_blank=True, help_text="Where the rows come from (e.g. recommended by matching), or empty."
    )


class InboxSerializer(serializers.Serializer[dict[str, object]]):
    count = serializers.IntegerField(help_text="Records waiting on the caller (actionable items).")
    items = InboxItemSerializer(many=True)


class InboxView(APIView):
    """Everything waiting for the caller, by the roles they hold, most urgent and oldest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=InboxSerializer, operation_id="inbox_list")
    def get(self, request: Request) -> Response:
        items = inbox.inbox_for(request.user)
        data = {
            "count": sum(i.count for i in items if i.actionable),
            "items": [i.as_dict() for i in items],
        }
        return Response(InboxSerializer(data).data)
