"""API of matching, under /api/v1/matching/: thin views over the selectors and services.

- ``matching/demands/{id}/recommendations/``, ``matching/resources/{id}/recommendations/``: the top
  five for what the caller sees, with the one-click claims the caller may make (``claim_sides``);
- ``matching/demands/{id}/claim/``: one click (``resource``, ``side`` ``offer`` or ``community``);
- ``matching/meetings/{id}/session/``: the claiming session (GET), propose or propose again (POST);
  ``accept/``, ``swap/`` (``demand``, ``resource``, optional ``quantity``), ``drop/`` (``demand``,
  ``resource``), ``release/`` (``pair``), ``commit/``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.lists.models import Claim

from . import selectors, services
from .models import MatchingSession

SIDES = [(services.OFFER, "offer"), (services.COMMUNITY, "community")]


class MatchingSuggestionSerializer(serializers.Serializer[Any]):
    demand = serializers.IntegerField(source="demand.pk")
    demand_name = serializers.CharField(source="demand.name")
    resource = serializers.IntegerField(source="resource.pk")
    resource_name = serializers.CharField(source="resource.name")
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    quantity = serializers.IntegerField(help_text="What a one-click claim takes")
    claim_sides = serializers.ListField(
        child=serializers.CharField(), help_text="One-click claims the caller may make: `offer`, `community`"
    )


class MatchingClaimSerializer(serializers.ModelSerializer[Claim]):
    class Meta:
        model = Claim
        fields = [
            "id",
            "demand",
            "resource",
            "claimant_unit",
            "claimant_org",
            "quantity",
            "status",
            "meeting",
        ]
        read_only_fields = fields


class MatchingClaimInSerializer(serializers.Serializer[Any]):
    resource = serializers.IntegerField()
    side = serializers.ChoiceField(choices=SIDES)


class MatchingPairOutSerializer(serializers.Serializer[Any]):
    demand = serializers.IntegerField()
    demand_name = serializers.CharField()
    resource = serializers.IntegerField()
    resource_name = serializers.CharField()
    provider = serializers.CharField()
    quantity = serializers.IntegerField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    accepted = serializers.BooleanField()
    pair = serializers.IntegerField(allow_null=True, help_text="The accept behind an accepted pair")
    claim = serializers.IntegerField(allow_null=True)


class MatchingSessionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True)
    meeting = serializers.IntegerField()
    status = serializers.CharField(allow_null=True)
    computing = serializers.BooleanField()
    job = serializers.IntegerField(allow_null=True)
    proposed_at = serializers.DateTimeField(allow_null=True)
    demands = serializers.IntegerField()
    resources = serializers.IntegerField()
    accepted = MatchingPairOutSerializer(many=True)
    proposed = MatchingPairOutSerializer(many=True)
    committed = MatchingPairOutSerializer(many=True)
    dropped = serializers.ListField(child=serializers.DictField())
    unallocated = serializers.ListField(child=serializers.IntegerField())
    can_decide = serializers.BooleanField()
    can_commit = serializers.BooleanField()


class MatchingPairInSerializer(serializers.Serializer[Any]):
    demand = serializers.IntegerField()
    resource = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class MatchingReleaseInSerializer(serializers.Serializer[Any]):
    pair = serializers.IntegerField()


def _suggestions(request: Request, found: list[Any]) -> Response:
    rows = [
        {
            "demand": s.demand,
            "resource": s.resource,
            "score": s.score,
            "reasons": list(s.reasons),
            "quantity": s.quantity,
            "claim_sides": services.recommendation_claim_sides(
                actor=request.user, demand=s.demand, resource=s.resource
            ),
        }
        for s in found
    ]
    return Response(MatchingSuggestionSerializer(rows, many=True).data)


class DemandRecommendationsView(APIView):
    @extend_schema(responses=MatchingSuggestionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The best resources (that the caller sees) for an open demand."""
        demand = selectors.demand_for_claim(actor=request.user, pk=pk)
        return _suggestions(request, selectors.demand_recommendations(actor=request.user, demand=demand))


class ResourceRecommendationsView(APIView):
    @extend_schema(responses=MatchingSuggestionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The open demands (that the caller sees) a published resource could meet."""
        resource = selectors.resource_for_claim(actor=request.user, pk=pk)
        return _suggestions(
            request, selectors.resource_recommendations(actor=request.user, resource=resource)
        )


class RecommendationClaimView(APIView):
    @extend_schema(request=MatchingClaimInSerializer, responses={201: MatchingClaimSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """One click: ``offer`` (the resource's unit claims the demand) or ``community`` (the
        demand's list claims the resource)."""
        demand = selectors.demand_for_claim(actor=request.user, pk=pk)
        data = MatchingClaimInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource = selectors.resource_for_claim(actor=request.user, pk=data.validated_data["resource"])
        claim = services.recommendation_claim(
            actor=request.user, demand=demand, resource=resource, side=data.validated_data["side"]
        )
        return Response(MatchingClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class MatchingDeclineSerializer(serializers.Serializer[Any]):
    demand = serializers.IntegerField(source="demand_id")
    resource = serializers.IntegerField(source="resource_id")
    side = serializers.CharField()
    outcome = serializers.CharField()
    score = serializers.FloatField(allow_null=True)


class RecommendationDeclineView(APIView):
    @extend_schema(request=MatchingClaimInSerializer, responses={201: MatchingDeclineSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """ "Not a match" on a recommended pair, by the side that could claim it: recorded as a
        label for the evaluation; the pair is not recommended again."""
        demand = selectors.demand_for_claim(actor=request.user, pk=pk)
        data = MatchingClaimInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource = selectors.resource_for_claim(actor=request.user, pk=data.validated_data["resource"])
        feedback = services.recommendation_decline(
            actor=request.user, demand=demand, resource=resource, side=data.validated_data["side"]
        )
        return Response(MatchingDeclineSerializer(feedback).data, status=status.HTTP_201_CREATED)


def _pair_rows(rows: list[selectors.PairRow]) -> list[dict[str, Any]]:
    return [
        {
            "demand": r.demand.pk,
            "demand_name": r.demand.name,
            "resource": r.resource.pk,
            "resource_name": r.resource.name,
            "provider": r.resource.provider_unit.name if r.resource.provider_unit else "",
            "quantity": r.quantity,
            "score": r.score,
            "reasons": r.reasons,
            "accepted": r.accepted,
            "pair": r.pair.pk if r.pair else None,
            "claim": r.claim.pk if r.claim else None,
        }
        for r in rows
    ]


class _SessionBase(APIView):
    def meeting_session(self, request: Request, pk: int) -> tuple[Any, MatchingSession | None]:
        meeting = selectors.session_meeting_get(actor=request.user, pk=pk)
        if not services.session_allowed(actor=request.user, meeting=meeting):
            raise PermissionDenied(_("Only the convener's staff run the claiming session."))
        return meeting, selectors.session_current(actor=request.user, meeting=meeting)

    def state(self, request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
        meeting, current = self.meeting_session(request, pk)
        empty: dict[str, Any] = {
            "id": None,
            "meeting": meeting.pk,
            "status": None,
            "computing": False,
            "job": None,
            "proposed_at": None,
            "demands": 0,
            "resources": 0,
            "accepted": [],
            "proposed": [],
            "committed": [],
            "dropped": [],
            "unallocated": [],
            "can_decide": False,
            "can_commit": False,
        }
        if current is None:
            return Response(MatchingSessionSerializer(empty).data, status=code)
        view = selectors.session_view(actor=request.user, session=current)
        data = {
            **empty,
            "id": current.pk,
            "status": current.status,
            "computing": current.job is not None and not current.job.finished,
            "job": current.job_id,
            "proposed_at": current.proposed_at,
            "demands": view.demands,
            "resources": view.resources,
            "accepted": _pair_rows(view.accepted),
            "proposed": _pair_rows(view.proposed),
            "committed": _pair_rows(view.committed),
            "dropped": [
                {"pair": p.pk, "demand": p.demand_id, "resource": p.resource_id} for p in view.dropped
            ],
            "unallocated": [d.pk for d in view.unallocated],
            "can_decide": services.session_decide_allowed(actor=request.user, session=current),
            "can_commit": services.session_commit_allowed(actor=request.user, session=current),
        }
        return Response(MatchingSessionSerializer(data).data, status=code)

    def current(self, request: Request, pk: int) -> MatchingSession:
        _meeting, current = self.meeting_session(request, pk)
        if current is None:
            raise ValidationError(_("Propose first."))
        return current


class SessionApiView(_SessionBase):
    @extend_schema(responses=MatchingSessionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The meeting's claiming session: accepted, proposed and committed pairs with reasons."""
        return self.state(request, pk)

    @extend_schema(request=None, responses=MatchingSessionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Propose (opening the session), or propose again around the decisions taken."""
        meeting, current = self.meeting_session(request, pk)
        if current is not None and current.status == "open":
            services.session_repropose(actor=request.user, session=current)
        else:
            services.session_start(actor=request.user, meeting=meeting)
        return self.state(request, pk)


class SessionAcceptView(_SessionBase):
    swap = False

    @extend_schema(request=MatchingPairInSerializer, responses=MatchingSessionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Accept a proposed pair (pinned, the rest re-optimised around it)."""
        session = self.current(request, pk)
        data = MatchingPairInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.pair_accept(
            actor=request.user,
            session=session,
            demand_id=data.validated_data["demand"],
            resource_id=data.validated_data["resource"],
            quantity=data.validated_data.get("quantity"),
            swap=self.swap,
        )
        return self.state(request, pk)


class SessionSwapView(SessionAcceptView):
    """Pair a demand with a resource of the convener's choosing (pinned like an accepted pair)."""

    swap = True


class SessionDropView(_SessionBase):
    @extend_schema(request=MatchingPairInSerializer, responses=MatchingSessionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Drop a pair: never proposed again in this session."""
        session = self.current(request, pk)
        data = MatchingPairInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.pair_drop(
            actor=request.user,
            session=session,
            demand_id=data.validated_data["demand"],
            resource_id=data.validated_data["resource"],
        )
        return self.state(request, pk)


class SessionReleaseView(_SessionBase):
    @extend_schema(request=MatchingReleaseInSerializer, responses=MatchingSessionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Take back an accept or a drop."""
        session = self.current(request, pk)
        data = MatchingReleaseInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.pair_release(actor=request.user, session=session, pair_id=data.validated_data["pair"])
        return self.state(request, pk)


class SessionCommitView(_SessionBase):
    @extend_schema(request=None, responses=MatchingSessionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Record every accepted pair as an accepted claim against the meeting (all or nothing)."""
        services.session_commit(actor=request.user, session=self.current(request, pk))
        return self.state(request, pk)
