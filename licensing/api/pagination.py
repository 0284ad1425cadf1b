"""Keyset (cursor) pagination in the stable order (updated_at, id).

The cursor is opaque to clients: base64url of "<updated_at ISO>|<id>" of the last row returned.
Pages cost the same at row 100,000 as at row 1 (an index range scan, no OFFSET, no COUNT).
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from licensing.api.problems import InvalidParameters

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    # Where to continue: after the last row of this page, or the cursor given when the page is
    # empty. Kept even on the last page so a poller can come back later for newer rows.
    next_cursor: str | None
    has_more: bool


def encode_cursor(updated_at: datetime, pk: int) -> str:
    raw = f"{updated_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, pk = raw.partition("|")
        moment = parse_datetime(stamp)
        if moment is None or moment.tzinfo is None:
            raise ValueError(stamp)
        return moment, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError) as exc:
        raise InvalidParameters({"cursor": "Not a cursor this API issued; pass next_cursor unchanged."}) from exc


def keyset_page(queryset: QuerySet, *, cursor: str | None, page_size: int) -> Page:
    """One page after ``cursor``; fetches page_size + 1 rows to know whether another page follows."""
    if cursor:
        moment, pk = decode_cursor(cursor)
        queryset = queryset.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, id__gt=pk))
    rows = list(queryset.order_by("updated_at", "id")[: page_size + 1])
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    if not rows:
        return Page(rows=rows, next_cursor=cursor or None, has_more=False)
    last = rows[-1]
    return Page(rows=rows, next_cursor=encode_cursor(last.updated_at, last.pk), has_more=has_more)
