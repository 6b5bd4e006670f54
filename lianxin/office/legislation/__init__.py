"""基层立法联系点 in the office (issue 19): drafts, their comments, moderation and the summary. Included by
lianxin/office/urls.py under legislation/."""

from django.urls import path

from lianxin.office.legislation import views

urlpatterns = [
    path("", views.draft_list, name="legislation"),
    path("new/", views.draft_new, name="legislation_new"),
    path("stats/", views.statistics, name="legislation_stats"),
    path("stats.xlsx", views.statistics, name="legislation_stats_xlsx"),
    path("<int:pk>/", views.draft_page, name="legislation_draft"),
    path("<int:pk>/act/", views.draft_act, name="legislation_act"),
    path("<int:pk>/text/", views.draft_text, name="legislation_text"),
    path("<int:pk>/comments/", views.comment_queue, name="legislation_comments"),
    path("<int:pk>/comments/<int:comment_id>/", views.comment_moderate, name="legislation_moderate"),
    path("<int:pk>/summary/", views.summary_page, name="legislation_summary"),
    path("<int:pk>/summary.docx", views.summary_export, {"fmt": "docx"}, name="legislation_export_docx"),
    path("<int:pk>/summary.pdf", views.summary_export, {"fmt": "pdf"}, name="legislation_export_pdf"),
]
