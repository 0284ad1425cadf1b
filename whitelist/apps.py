from django.apps import AppConfig


class WhitelistConfig(AppConfig):
    name = "whitelist"
    verbose_name = "Whitelist, authorities and calendars"
