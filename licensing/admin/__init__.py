"""The officials' admin: the queue, case pages with actions, licences, rules, the dashboard, the audit trail.

Importing the modules registers their ModelAdmins with the default admin site.
"""

from django.contrib import admin

from licensing.admin import applications, audit, licences, rules  # noqa: F401

admin.site.site_header = "Kyoka — licensing authority"
admin.site.site_title = "Kyoka admin"
admin.site.index_title = "Licensing work"
