"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's secret.

Headers on every delivery:

    Kyoka-Timestamp: 1767225600             (Unix seconds when this attempt was signed)
    Kyoka-Signature: v1=<hex HMAC-SHA256>    (of b"1767225600." + the raw request body)

A receiver recomputes the HMAC over the raw body it received, compares in constant time and
refuses timestamps older than a few minutes (replays). ``signature_verify`` is that check.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Kyoka-Signature"
TIMESTAMP_HEADER = "Kyoka-Timestamp"
EVENT_HEADER = "Kyoka-Event"
DELIVERY_HEADER = "Kyoka-Delivery"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={mac}"


def signature_verify(
    *,
    secret: str,
    timestamp_header: str | None,
    signature_header: str | None,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True if the signature matches the body and the timestamp is recent."""
    if not timestamp_header or not signature_header:
        return False
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature_compute(secret=secret, timestamp=timestamp, body=body)
    # Several signatures may be sent, comma-separated; any valid "v1" one is enough.
    return any(hmac.compare_digest(expected, part.strip()) for part in signature_header.split(","))
