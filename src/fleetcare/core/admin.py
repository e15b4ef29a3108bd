from django.contrib import admin

from .models import ChangeLogEntry, JobRun


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "object_repr", "actor"]
    list_filter = ["action", "content_type"]
    readonly_fields = [f.name for f in ChangeLogEntry._meta.fields]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "last_started_at", "last_finished_at", "runs"]
