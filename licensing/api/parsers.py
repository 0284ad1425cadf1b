"""JSON bodies, bounded: a body over settings.KYOKA_API_MAX_BODY_BYTES is refused with 413."""

import io
from typing import Any

from django.conf import settings
from rest_framework.parsers import JSONParser

from licensing.api.problems import PayloadTooLarge


def max_body_bytes() -> int:
    return int(getattr(settings, "KYOKA_API_MAX_BODY_BYTES", 64 * 1024))


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        limit = max_body_bytes()
        # Read at most one byte past the limit, whatever Content-Length claims (or chunked bodies).
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        return super().parse(io.BytesIO(data), media_type, parser_context)
