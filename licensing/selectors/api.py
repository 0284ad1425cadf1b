"""Reads for the partner API: what a key's organisation may see, and cheap change markers.

Change markers are what ETags are made of. They come from small indexed queries, never from the
response body, so a poll that changed nothing is answered (304) before any row is serialised.

Settling. Event ids are handed out at INSERT, but transactions commit in any order: event 101 can
become visible before event 100. A reader that remembers "the last id I saw" would then skip 100.
Kyoka therefore treats the newest events as *unsettled*: with ``S`` =
``KYOKA_CHANGES_SETTLE_SECONDS``, the bound ``B`` is the smallest id among committed events that
occurred within the last ``S`` seconds (none: no bound). If every transaction that writes an event
commits within ``S`` seconds of writing it, no event with an id below ``B`` can still appear, so:

* the change feed returns only events with ids below ``B`` (a poller passing the last id it saw
  never misses one and never sees one twice);
* list ETags combine the newest settled event id with the ids of the unsettled ones, so a late
  commit with a lower id still changes the ETag.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F, Min, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from licensing.models import Application, Event, Licence, RegimeRule, RuleDocument
from licensing.services.events import Verb
from materials.models import ControlledItem, ControlListReference
from whitelist.models import Authority, Grouping

NO_BOUND = 2**62

# Application events that change its status (the status history a partner sees).
APPLICATION_STATUS_VERBS: tuple[str, ...] = (
    Verb.APPLICATION_CREATED,
    Verb.APPLICATION_SUBMITTED,
    Verb.APPLICATION_REVIEW_STARTED,
    Verb.APPLICATION_INFORMATION_REQUESTED,
    Verb.APPLICATION_INFORMATION_PROVIDED,
    Verb.APPLICATION_APPROVED,
    Verb.APPLICATION_REJECTED,
    Verb.APPLICATION_WITHDRAWN,
    Verb.APPLICATION_LAPSED,
)
LICENCE_VERBS: tuple[str, ...] = (
    Verb.LICENCE_ISSUED,
    Verb.LICENCE_SUSPENDED,
    Verb.LICENCE_REINSTATED,
    Verb.LICENCE_REVOKED,
    Verb.LICENCE_EXPIRED,
    Verb.LICENCE_EXHAUSTED,
    Verb.SHIPMENT_RECORDED,
)
WHITELIST_VERBS: tuple[str, ...] = (Verb.WHITELIST_AMENDMENT_SCHEDULED, Verb.WHITELIST_AMENDED)
RULE_VERBS: tuple[str, ...] = (Verb.RULE_CHANGED, Verb.RULE_IN_FORCE)

# Every event type a partner can ever see (feed and webhooks). An allowlist: verbs for officials only
# (e.g. application.recommended, application.assigned) never leave Kyoka, including ones added later.
PARTNER_EVENT_TYPES: tuple[str, ...] = tuple(
    sorted({*APPLICATION_STATUS_VERBS, *LICENCE_VERBS, *WHITELIST_VERBS, *RULE_VERBS})
)

# Which feed events a scope opens: the organisation's own, and public ones (organisation blank).
ORGANISATION_FEED_VERBS = {"applications:read": APPLICATION_STATUS_VERBS, "licences:read": LICENCE_VERBS}
PUBLIC_FEED_VERBS = {"whitelist:read": WHITELIST_VERBS, "regimes:read": RULE_VERBS}


def settle_seconds() -> float:
    return float(getattr(settings, "KYOKA_CHANGES_SETTLE_SECONDS", 3.0))


def settle_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settle_seconds())


def settled_bound(cutoff: datetime) -> Coalesce:
    """SQL expression: the smallest id among events newer than ``cutoff`` (or a huge number)."""
    # ``id + 0`` keeps PostgreSQL from answering MIN(id) by walking the primary key from the start.
    newest = (
        Event.objects.filter(occurred_at__gt=cutoff)
        .order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(m=Min(F("id") + 0))
        .values("m")
    )
    return Coalesce(Subquery(newest), Value(NO_BOUND))


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _dt(value: datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def events_marker(*, organisation_id: int | None, now: datetime | None = None) -> tuple:
    """(newest settled event id, ids of unsettled events) for one organisation's events, or for
    public events when ``organisation_id`` is None. One query."""
    table = _table(Event)
    org_sql = "organisation_id IS NULL" if organisation_id is None else "organisation_id = %s"
    org_params = [] if organisation_id is None else [organisation_id]
    sql = (
        f"WITH bound AS (SELECT COALESCE(MIN(id + 0), %s) AS b FROM {table} WHERE occurred_at > %s) "  # noqa: S608 -- table names from model meta; values are bound
        f"SELECT 0, MAX(id) FROM {table} WHERE {org_sql} AND id < (SELECT b FROM bound) "
        f"UNION ALL "
        f"SELECT 1, id FROM {table} WHERE {org_sql} AND id >= (SELECT b FROM bound)"
    )
    params = [NO_BOUND, _dt(settle_cutoff(now)), *org_params, *org_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    settled = next((r[1] for r in rows if r[0] == 0), None)
    unsettled = tuple(sorted(r[1] for r in rows if r[0] == 1))
    return (settled, unsettled)


# --- Applications and licences of one organisation ------------------------------------------------


# Codes of related rows come as annotations (one join each), not as related model instances:
# building four model objects per row is most of what a list page would otherwise cost.
def applications_for_organisation(*, organisation_id: int) -> QuerySet[Application]:
    return Application.objects.filter(organisation_id=organisation_id).annotate(
        authority_code=F("authority__code"), item_code=F("item__slug"), licence_number=F("licence__number")
    )


def application_for_organisation(*, organisation_id: int, reference: str) -> Application | None:
    return applications_for_organisation(organisation_id=organisation_id).filter(reference=reference).first()


@dataclass(frozen=True)
class StatusChange:
    status: str
    verb: str
    occurred_at: datetime
    event_id: int


def application_status_histories(application_ids: Iterable[int]) -> dict[int, list[StatusChange]]:
    """Status history per application, from the event log (one query for any number of cases)."""
    ids = [str(pk) for pk in application_ids]
    history: dict[int, list[StatusChange]] = defaultdict(list)
    if not ids:
        return history
    rows = (
        Event.objects.filter(subject_type="application", subject_id__in=ids, verb__in=APPLICATION_STATUS_VERBS)
        .order_by("id")
        .values_list("subject_id", "verb", "occurred_at", "id", "payload")
    )
    for subject_id, verb, occurred_at, event_id, payload in rows:
        history[int(subject_id)].append(
            StatusChange(
                status=(payload or {}).get("status", ""), verb=verb, occurred_at=occurred_at, event_id=event_id
            )
        )
    return history


def _licences() -> QuerySet[Licence]:
    return Licence.objects.annotate(
        authority_code=F("authority__code"),
        authority_timezone=F("authority__timezone"),
        item_code=F("item__slug"),
        application_reference=F("application__reference"),
    )


def licences_for_organisation(*, organisation_id: int) -> QuerySet[Licence]:
    return _licences().filter(organisation_id=organisation_id)


def licence_by_number(*, number: str) -> Licence | None:
    return _licences().filter(number=number).first()


# --- The change feed ------------------------------------------------------------------------------


def feed_filter(*, organisation_id: int, scopes: Sequence[str]) -> Q | None:
    """Events a key may see: its organisation's, by scope, and public ones, by scope."""
    org_verbs = [v for scope, verbs in ORGANISATION_FEED_VERBS.items() if scope in scopes for v in verbs]
    public_verbs = [v for scope, verbs in PUBLIC_FEED_VERBS.items() if scope in scopes for v in verbs]
    parts = []
    if org_verbs:
        parts.append(Q(organisation_id=organisation_id, verb__in=org_verbs))
    if public_verbs:
        parts.append(Q(organisation__isnull=True, verb__in=public_verbs))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def feed_events(*, visible: Q, after: int, limit: int, now: datetime | None = None) -> list[Event]:
    """Up to ``limit`` settled events after ``after``, in id order."""
    return list(
        Event.objects.filter(visible, id__gt=after, id__lt=settled_bound(settle_cutoff(now)))
        .select_related("authority")
        .order_by("id")[:limit]
    )


def feed_marker(*, visible: Q, after: int, now: datetime | None = None) -> int | None:
    """The newest settled visible event after ``after`` (the feed's ETag input). One query."""
    row = (
        Event.objects.filter(visible, id__gt=after, id__lt=settled_bound(settle_cutoff(now)))
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return row


# --- Reference data -------------------------------------------------------------------------------


def items_marker() -> tuple:
    """Controlled items and their control-list references: counts and newest change. One query."""
    items, refs = _table(ControlledItem), _table(ControlListReference)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {items}), (SELECT MAX(updated_at) FROM {items}), "  # noqa: S608 -- table names from model meta; values are bound
            f"(SELECT COUNT(*) FROM {refs}), (SELECT MAX(id) FROM {refs})"
        )
        return tuple(cursor.fetchone())


def items_active() -> QuerySet[ControlledItem]:
    return ControlledItem.objects.prefetch_related("references")


def grouping_history_marker(*, authority: Authority, country: str) -> tuple:
    """Every change of a grouping row leaves a history row: their count and newest id. One query."""
    hist = _table(Grouping.history.model)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MAX(history_id) FROM {hist} WHERE authority_id = %s AND country = %s",  # noqa: S608 -- table names from model meta; values are bound
            [authority.pk, country],
        )
        return (*cursor.fetchone(), authority.default_group_id)


def regime_marker(*, authority: Authority, country: str) -> tuple:
    """What a regime answer depends on: the authority's rules (history), the country's groupings
    (history), rule documents and document types. One query over small tables."""
    rule_hist = _table(RegimeRule.history.model)
    group_hist = _table(Grouping.history.model)
    rule_docs = _table(RuleDocument)
    doc_types = _table(RuleDocument._meta.get_field("document_type").related_model)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {rule_hist} WHERE authority_id = %s), "  # noqa: S608 -- table names from model meta; values are bound
            f"(SELECT MAX(history_id) FROM {rule_hist} WHERE authority_id = %s), "
            f"(SELECT COUNT(*) FROM {group_hist} WHERE authority_id = %s AND country = %s), "
            f"(SELECT MAX(history_id) FROM {group_hist} WHERE authority_id = %s AND country = %s), "
            f"(SELECT COUNT(*) FROM {rule_docs}), (SELECT MAX(id) FROM {rule_docs}), "
            f"(SELECT COUNT(*) FROM {doc_types}), (SELECT MAX(id) FROM {doc_types})",
            [authority.pk, authority.pk, authority.pk, country, authority.pk, country],
        )
        return (*cursor.fetchone(), authority.default_group_id)
