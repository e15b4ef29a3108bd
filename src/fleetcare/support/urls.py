from django.urls import path

from . import case_page, views

app_name = "support"

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("export/", views.case_export, name="export"),
    path("queue/", views.queue, name="queue"),
    path("escalations/", views.escalations, name="escalations"),
    path("new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", case_page.case_detail, name="case_detail"),
    path("cases/<int:pk>/reply/", case_page.case_reply, name="case_reply"),
    path("cases/<int:pk>/status/", case_page.case_status, name="case_status"),
    path("cases/<int:pk>/assign/", case_page.case_assign, name="case_assign"),
    path("cases/<int:pk>/severity/", case_page.case_severity, name="case_severity"),
    path("cases/<int:pk>/attach/", case_page.case_attach, name="case_attach"),
    path("cases/<int:pk>/escalate/", case_page.case_escalate, name="case_escalate"),
    path("cases/<int:pk>/escalation/", case_page.case_escalation_update, name="case_escalation"),
    path("cases/<int:pk>/deescalate/", case_page.case_deescalate, name="case_deescalate"),
    path("cases/<int:pk>/engineering/", case_page.case_engref, name="case_engref"),
    path("cases/<int:pk>/incidents/", case_page.case_incident, name="case_incident"),
    path(
        "cases/<int:pk>/incidents/<int:incident_id>/",
        case_page.case_incident_update,
        name="case_incident_update",
    ),
    path("pickers/people/", case_page.pick_people, name="pick_people"),
    path("pickers/devices/", case_page.pick_devices, name="pick_devices"),
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
