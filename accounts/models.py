from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A company or body that uses Kyoka: an exporter, or a partner polling the API."""

    class Kind(models.TextChoices):
        EXPORTER = "exporter", _("Exporter")
        PARTNER = "partner", _("Partner (customs, authority, forwarder, integrator)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.TextField(_("address"), blank=True)
    corporate_number = models.CharField(
        _("corporate number"), max_length=40, blank=True, help_text=_("Registration number, if any.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person. Exporters and partner staff belong to one organisation; officials to an authority."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    is_organisation_admin = models.BooleanField(
        _("organisation admin"), default=False, help_text=_("May invite colleagues to the organisation.")
    )
    authority = models.ForeignKey(
        "whitelist.Authority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
        verbose_name=_("authority"),
        help_text=_("For officials: the licensing authority they work for."),
    )
    language = models.CharField(
        _("language"), max_length=8, default="en", choices=[("en", "English"), ("ja", "日本語")]
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(organisation__isnull=False) & models.Q(authority__isnull=False)),
                name="user_is_exporter_or_official_not_both",
            )
        ]

    @property
    def is_official(self) -> bool:
        return self.is_staff and self.authority_id is not None


class Invitation(models.Model):
    """An organisation admin's invitation to a colleague: a one-time link to set a password and join.

    Only the SHA-256 of the token is stored; the token itself is in the emailed link.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("email"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_pending_invitation_per_email",
            ),
            models.CheckConstraint(
                condition=~(models.Q(accepted_at__isnull=False) & models.Q(revoked_at__isnull=False)),
                name="invitation_accepted_or_revoked_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
