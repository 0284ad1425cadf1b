from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Unit(models.TextChoices):
    KILOGRAM = "kg", _("kilograms")
    LITRE = "L", _("litres")
    SET = "set", _("sets (technology)")


class ControlledItem(models.Model):
    """A controlled good or technology, e.g. resist. The slug is the stable code used everywhere."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        TECHNOLOGY = "technology", _("Technology")

    slug = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GOODS)
    cas_number = models.CharField(_("CAS number"), max_length=20, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=20, blank=True)
    control_threshold = models.TextField(
        _("what brings it under control"), blank=True, help_text=_("The legal trigger, as data.")
    )
    default_unit = models.CharField(_("default unit"), max_length=8, choices=Unit.choices, default=Unit.KILOGRAM)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True, help_text=_("Where these facts come from."))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("controlled item")
        verbose_name_plural = _("controlled items")

    def __str__(self) -> str:
        return self.name


class ControlListReference(models.Model):
    """Where an item sits on a control list: Japan's Export Trade Control Order, Wassenaar, EU, US..."""

    class ControlList(models.TextChoices):
        JP_EXPORT_TRADE_CONTROL_ORDER = "jp-etco", _("Japan: Export Trade Control Order, Appended Table 1")
        JP_FOREIGN_EXCHANGE_ORDER = "jp-feo", _("Japan: Foreign Exchange Order, Appended Table")
        JP_METI_GOODS_ORDINANCE = "jp-meti-ordinance", _("Japan: METI goods ordinance")
        WASSENAAR = "wassenaar", _("Wassenaar Arrangement")
        AUSTRALIA_GROUP = "australia-group", _("Australia Group")
        EU = "eu", _("EU dual-use list")
        US = "us-ccl", _("US Commerce Control List")

    item = models.ForeignKey(ControlledItem, on_delete=models.CASCADE, related_name="references")
    control_list = models.CharField(_("control list"), max_length=30, choices=ControlList.choices)
    entry = models.CharField(_("entry"), max_length=100)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["item", "control_list"]
        constraints = [models.UniqueConstraint(fields=["item", "control_list", "entry"], name="unique_item_list_entry")]

    def __str__(self) -> str:
        return f"{self.get_control_list_display()} {self.entry}"
