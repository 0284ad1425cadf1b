"""Notification texts and emails, in the recipient's language.

Each kind of notification has one text template per language,
``templates/emails/<language>/<kind>.txt`` where ``kind`` is the notification verb with dots as
underscores (``deadline.due_soon`` -> ``deadline_due_soon.txt``). Its first line is the subject
(also the in-app title); the rest is the body. The email wraps the body in a layout per language
(``layout.txt``, ``layout.html``). A language without its own template falls back to English.

Text templates are rendered without HTML autoescaping (they are plain text); the HTML layout
escapes as usual.
"""

from functools import cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notification

DEFAULT_LANGUAGE = "en"


@cache
def _text_engine() -> Engine:
    templates: list[dict[str, Any]] = settings.TEMPLATES
    dirs = [d for t in templates for d in t.get("DIRS", [])]
    return Engine(dirs=dirs, autoescape=False, builtins=["django.templatetags.i18n"])


def _language(code: str | None) -> str:
    available = {code for code, _ in settings.LANGUAGES}
    return code if code in available else DEFAULT_LANGUAGE


def template_names(name: str, language: str) -> list[str]:
    names = [f"emails/{language}/{name}.txt"]
    if language != DEFAULT_LANGUAGE:
        names.append(f"emails/{DEFAULT_LANGUAGE}/{name}.txt")
    return names


def kind_of(verb: str) -> str:
    return verb.replace(".", "_")


def render_text(verb: str, context: dict[str, Any], *, language: str | None) -> tuple[str, str]:
    """(title, body) of a notification of this verb, in ``language``."""
    lang = _language(language)
    with translation.override(lang):
        template = _text_engine().select_template(template_names(kind_of(verb), lang))
        text = template.render(Context(context, autoescape=False))
    title, _, body = text.strip().partition("\n")
    return " ".join(title.split())[:300], body.strip()


def _display_name(user: Any, language: str) -> str:
    first, last = (getattr(user, "first_name", "") or "").strip(), (getattr(user, "last_name", "") or "").strip()
    if first and last:
        # Family name first in Japanese (田中 愛子 様).
        return f"{last} {first}" if language == "ja" else f"{first} {last}"
    return first or last or user.get_username()


def email_message(notification: Notification) -> EmailMultiAlternatives:
    """The email of a stored notification, in its recipient's language."""
    recipient = notification.recipient
    lang = _language(getattr(recipient, "language", None))
    link = f"{settings.SITE_URL}{notification.url}" if notification.url else ""
    context = {
        "recipient": recipient,
        "name": _display_name(recipient, lang),
        "title": notification.title,
        "body": notification.body,
        "paragraphs": [p.strip() for p in notification.body.split("\n\n") if p.strip()],
        "link": link,
        "site_url": settings.SITE_URL,
        "language": lang,
    }
    with translation.override(lang):
        text = _text_engine().select_template(template_names("layout", lang)).render(Context(context, autoescape=False))
        html = render_to_string([f"emails/{lang}/layout.html", f"emails/{DEFAULT_LANGUAGE}/layout.html"], context)
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=text.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Content-Language": lang, "X-Kyoka-Notification": str(notification.pk)},
    )
    message.attach_alternative(html, "text/html")
    return message
