"""Sign in and out, passwords, the account page, and organisation invitations."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import InvitationAcceptForm, InvitationForm, ProfileForm
from accounts.models import Invitation, User
from licensing.errors import DomainError
from licensing.selectors.exporter import default_authority_timezone


def _set_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class LoginView(auth_views.LoginView):
    """Django's sign-in (django-axes counts the failures), then the user's preferred language."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # A saved preference other than the default applies on a browser that has not chosen a
        # language yet. A choice made with the switcher (the cookie) is respected, and so is the
        # browser's own language for people who never set one (the field defaults to English).
        language = getattr(form.get_user(), "language", "") or ""
        if (
            language in dict(settings.LANGUAGES)
            and language != settings.LANGUAGE_CODE
            and settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES
        ):
            _set_language_cookie(response, language)
        return response


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("accounts:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            translation.activate(user.language)
            messages.success(request, _("Your account details were saved."))
            return _set_language_cookie(redirect("accounts:account"), user.language)
    return render(request, "accounts/account.html", {"form": form})


def _organisation_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.organisation_id and user.is_organisation_admin)


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest) -> HttpResponse:
    """The organisation's members and pending invitations; admins invite colleagues here."""
    if not request.user.organisation_id:
        raise Http404("No organisation.")
    is_admin = _organisation_admin(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not is_admin:
            return render(request, "accounts/organisation_admin_only.html", status=403)
        if form.is_valid():
            try:
                invitation, _token = services.invitation_create(
                    invited_by=request.user, email=form.cleaned_data["email"]
                )
            except DomainError as exc:
                form.add_error("email", exc.message)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s. The link works for %(days)s days.")
                    % {"email": invitation.email, "days": services.INVITATION_VALID_FOR.days},
                )
                return redirect("accounts:organisation")
    organisation_id = request.user.organisation_id
    members = User.objects.filter(organisation_id=organisation_id).order_by("last_name", "first_name", "username")
    invitations = (
        Invitation.objects.filter(organisation_id=organisation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )
    context = {
        "organisation": request.user.organisation,
        "members": members,
        "invitations": invitations if is_admin else [],
        "is_admin": is_admin,
        "form": form,
        "display_timezone": default_authority_timezone(),
    }
    return render(request, "accounts/organisation.html", context)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not _organisation_admin(request):
        return render(request, "accounts/organisation_admin_only.html", status=403)
    try:
        invitation = Invitation.objects.get(pk=pk, organisation_id=request.user.organisation_id)
    except Invitation.DoesNotExist as exc:
        raise Http404("No such invitation.") from exc
    try:
        services.invitation_revoke(invitation=invitation, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email})
    return redirect("accounts:organisation")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: choose a username and password, and join the organisation."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as exc:
        return render(request, "accounts/invitation_invalid.html", {"message": exc.message}, status=410)
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_signed_in.html", {"invitation": invitation}, status=409)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, problems in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:  # the password validators
                form.add_error("password1", exc.messages)
        except services.InvitationInvalid as exc:
            return render(request, "accounts/invitation_invalid.html", {"message": exc.message}, status=410)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to %(organisation)s on Kyoka.") % {"organisation": invitation.organisation.name}
            )
            return redirect("licensing:dashboard")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form})
