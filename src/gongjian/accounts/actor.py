"""Who acts: the one type every service and selector takes as ``actor``.

What the callers pass, read from the code:

* pages and the API pass ``request.user``: a signed-in :class:`~gongjian.accounts.models.User`, or
  Django's ``AnonymousUser`` on the pages anyone may open (a resident's appeal, a meeting's sign-in,
  a project's public page and its satisfaction vote, the public dashboards);
* background jobs pass ``job.actor``, the user who started the job;
* the system passes ``None``: the test world and the demo loader create the first accounts and grant
  their roles, the daily work sends reminders and moves statuses that follow dates, and the audit
  log then names the actor "system".

What the services and selectors use of it: :func:`~gongjian.accounts.scope.scope_for` (the roles
held on the map; a superuser sees everything; an anonymous visitor or ``None`` sees nothing of the
administration), ``actor.pk`` and ``actor.is_authenticated`` to tell a person from a visitor, and the
user itself to write who did a thing into a row (``created_by``, ``decided_by``: :func:`signed_in`
where a visitor may act and the row then names nobody, :func:`person` where only a signed-in user
gets that far).

So :data:`Actor` is exactly what a request carries, ``User | AnonymousUser``, and a parameter that
the system may fill says so with ``Actor | None`` (mostly ``actor: Actor | None = None``). Writes
that anonymous visitors never reach still take :data:`Actor`: whether a visitor may act is a rule of
the service (it raises ``PermissionDenied``), and the pages that call it hand over ``request.user``
as Django types it, so narrowing those to ``User`` would move the rule into every view.

Weighed and not taken: a dataclass (user, roles, scope, language) would have to be built at each of
the ~600 places that pass ``request.user`` and would copy what is already there (the scope is read
once per request and kept on the user by ``scope_for``; the language is the request's, not the
actor's); a Protocol of the attributes used would let any object with a ``pk`` through, while a row's
``created_by`` needs a real ``User``.

The alias is a string at run time and the models are imported for the type checker only, so any
module (``core`` too, below ``accounts`` in the layers, under ``TYPE_CHECKING``) may name the type
without loading the models or making an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, TypeGuard

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

#: Whoever a request carries: a signed-in user, or an anonymous visitor.
Actor: TypeAlias = "User | AnonymousUser"


def signed_in(actor: Actor | None) -> User | None:
    """The signed-in user behind ``actor``; None for an anonymous visitor or the system."""
    if actor is None or not actor.is_authenticated:
        return None
    return actor


def is_person(actor: Actor | None) -> TypeGuard[User]:
    """Whether ``actor`` is a signed-in user (and, for the type checker, a ``User`` from here on)."""
    return actor is not None and bool(actor.is_authenticated)


def person(actor: Actor) -> User:
    """The signed-in user behind ``actor``, for a write that names who did it (``claimed_by``,
    ``decided_by``). The service's own rules have refused anonymous visitors before it gets here;
    should one get through anyway, it is refused too rather than written as nobody."""
    if not actor.is_authenticated:
        raise PermissionDenied
    return actor
