from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners: API keys and webhooks"
    default_auto_field = "django.db.models.BigAutoField"
