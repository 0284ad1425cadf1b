"""The public verification page a licence's QR code points to: validity only, nothing confidential.

No login. Lookups are rate-limited per client address (the cache counts them), so codes cannot be
enumerated; an unknown code is a 404 that says nothing more.
"""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from licensing.forms import VerificationLookupForm
from licensing.selectors.exporter import licence_for_verification
from licensing.views.common import authority_today

VERIFY_LIMIT = 30  # lookups per client address...
VERIFY_WINDOW_SECONDS = 300  # ...in this many seconds


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is the client's own claim. Behind a proxy, the proxy
    # (or a middleware that trusts it) is the place to set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "unknown")


def verification_allowed(request: HttpRequest) -> bool:
    """Count this lookup; False once the address has used up its allowance for the window."""
    key = f"verify-rate:{client_address(request)}"
    if cache.add(key, 1, timeout=VERIFY_WINDOW_SECONDS):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=VERIFY_WINDOW_SECONDS)
        return True
    return count <= VERIFY_LIMIT


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "licensing/verify_rate_limited.html",
        {"window_minutes": VERIFY_WINDOW_SECONDS // 60},
        status=429,
    )
    response["Retry-After"] = str(VERIFY_WINDOW_SECONDS)
    return response


@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """A form to type a code in (for someone holding a printed certificate without a phone)."""
    form = VerificationLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("licensing:verify", code=form.cleaned_data["code"].strip().upper())
    return render(request, "licensing/verify_lookup.html", {"form": form})


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if not verification_allowed(request):
        return _too_many(request)
    licence = licence_for_verification(code=code)
    today = authority_today(licence.authority)
    context = {
        "licence": licence,
        "today": today,
        "valid_today": licence.status == licence.Status.ACTIVE and licence.valid_until >= today,
    }
    response = render(request, "licensing/verify.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
