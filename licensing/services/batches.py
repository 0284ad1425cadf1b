"""How every sweep works through its rows: in batches, each its own short transaction.

1. Candidate ids (ids only, never rows) come from one filtered query per run that uses the
   index made for it, capped at KYOKA_SWEEP_MAX_PER_RUN; they are processed N at a time.
2. Each batch re-reads its rows under ``SELECT ... FOR UPDATE SKIP LOCKED`` with the same filter,
   so a row that changed meanwhile, or that a person is changing right now, is left for the next
   run instead of waited on.
3. Each row is processed in a savepoint; the batch commits as a whole. A worker killed mid-batch
   loses only that batch's uncommitted work, and because every sweep recomputes "what is due as
   of now" from the rows, the next run picks up exactly what is left.
"""

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction

from licensing.errors import DomainError

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)


@dataclass
class SweepReport:
    """What one run of a sweep did (logged by the task, printed by ``kyoka_clock``)."""

    sweep: str
    as_of: datetime
    changed: int = 0  # rows whose state changed (or that were flagged/reminded)
    notifications: int = 0  # notifications stored
    skipped: int = 0  # candidates locked by someone else, or no longer due when locked
    refused: int = 0  # a service refused the change (logged)
    batches: int = 0
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return data

    def note(self, line: str) -> None:
        # Kept short: the report is logged by the task.
        if len(self.details) < 50:
            self.details.append(line)


def candidate_ids(candidates: models.QuerySet[Any] | list[models.QuerySet[Any]]) -> list[int]:
    """The ids of the candidates, as of now, from one query per queryset, sorted.

    No ORDER BY and no small LIMIT: with "ORDER BY id LIMIT n" PostgreSQL is tempted to walk the
    primary key and filter, which reads the whole table when few rows match; without them it uses
    the index made for the filter. A run takes at most KYOKA_SWEEP_MAX_PER_RUN candidates (ids
    only); a larger backlog is finished by the next runs.
    """
    querysets = candidates if isinstance(candidates, list) else [candidates]
    cap = settings.KYOKA_SWEEP_MAX_PER_RUN
    ids: set[int] = set()
    for qs in querysets:
        ids.update(qs.order_by().values_list("pk", flat=True)[: cap - len(ids)] if len(ids) < cap else [])
    return sorted(ids)


def candidate_batches(
    candidates: models.QuerySet[Any] | list[models.QuerySet[Any]], size: int | None = None
) -> Iterator[list[int]]:
    """Yield the candidate ids ``size`` at a time, in primary-key order."""
    size = size or settings.KYOKA_SWEEP_BATCH_SIZE
    ids = candidate_ids(candidates)
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def process_in_batches(
    candidates: models.QuerySet[M] | list[models.QuerySet[M]],
    process: Callable[[M], bool],
    *,
    report: SweepReport,
    still_due: models.QuerySet[M] | None = None,
    select_related: tuple[str, ...] = (),
    size: int | None = None,
) -> None:
    """Run ``process(row)`` on every candidate still due, batch by batch (see the module doc).

    ``candidates`` is the filter (or several, whose ids are merged: one index-friendly query each);
    ``still_due`` re-checks a row under its lock (default: the candidates' own filter).
    ``process`` returns True when it changed something. A ``DomainError`` it raises undoes that
    row only (its savepoint) and is logged; any other error aborts the batch and propagates (the
    task retries, and the next run recomputes what is left).
    """
    if still_due is None:
        if isinstance(candidates, list):
            raise ValueError("Several candidate querysets need a still_due queryset.")
        still_due = candidates
    for ids in candidate_batches(candidates, size):
        with transaction.atomic():
            rows = list(
                still_due.filter(pk__in=ids)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related(*select_related)
                .order_by("pk")
            )
            report.skipped += len(ids) - len(rows)
            for row in rows:
                try:
                    with transaction.atomic():
                        if process(row):
                            report.changed += 1
                except DomainError as exc:
                    report.refused += 1
                    logger.warning("%s: %s #%s refused: %s", report.sweep, type(row).__name__, row.pk, exc.message)
            report.batches += 1
            _pause_for_tests()


def _pause_for_tests() -> None:
    # KYOKA_SWEEP_BATCH_DELAY is 0 except in the kill-the-worker test, which needs a sweep slow
    # enough to interrupt inside a batch's transaction.
    delay = settings.KYOKA_SWEEP_BATCH_DELAY
    if delay > 0:
        time.sleep(delay)
