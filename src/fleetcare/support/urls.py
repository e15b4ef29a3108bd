from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("export/", views.case_export, name="export"),
    path("queue/", views.queue, name="queue"),
    path("escalations/", views.escalations, name="escalations"),
    path("new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/reply/", views.case_reply, name="case_reply"),
    path("cases/<int:pk>/status/", views.case_status, name="case_status"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/severity/", views.case_severity, name="case_severity"),
    path("cases/<int:pk>/attach/", views.case_attach, name="case_attach"),
    path("cases/<int:pk>/escalate/", views.case_escalate, name="case_escalate"),
    path("cases/<int:pk>/escalation/", views.case_escalation_update, name="case_escalation"),
    path("cases/<int:pk>/deescalate/", views.case_deescalate, name="case_deescalate"),
    path("cases/<int:pk>/engineering/", views.case_engref, name="case_engref"),
    path("cases/<int:pk>/incidents/", views.case_incident, name="case_incident"),
    path(
        "cases/<int:pk>/incidents/<int:incident_id>/",
        views.case_incident_update,
        name="case_incident_update",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("authorisations/", views.authorisations, name="authorisations"),
    path("cloud-partners/new/", views.cloud_partner_new, name="cloud_partner_new"),
    path("cloud-partners/<int:pk>/", views.cloud_partner_edit, name="cloud_partner_edit"),
    path(
        "authorisations/<int:pk>/document/",
        views.authorisation_document,
        name="authorisation_document",
    ),
]
