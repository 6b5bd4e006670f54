"""监督与约见 in the office (issue 19): the year's supervision items of the user's congresses with their groups and
their record before, during and after (plan, inspections as duty activities, findings, opinions, the department's
rectification report, the members' evaluation); 约见 requests to arrange, decline, record and follow up; 直通车.

For staff holding manage_supervision; every object is read from the user's scope (outside is a 404) and every
write is one service of lianxin.supervision.services. Included by lianxin/office/urls.py under supervision/."""

from django.urls import path

from lianxin.office.supervision import items, meetings

urlpatterns = [
    path("", items.item_list, name="supervision"),
    path("items/new/", items.item_new, name="supervision_item_new"),
    path("items/<int:pk>/", items.item_page, name="supervision_item"),
    path("items/<int:pk>/<str:action>/", items.item_act, name="supervision_item_act"),
    path("meetings/", meetings.meeting_list, name="supervision_meetings"),
    path("meetings/<int:pk>/", meetings.meeting_page, name="supervision_meeting"),
    path("meetings/<int:pk>/<str:action>/", meetings.meeting_act, name="supervision_meeting_act"),
    path("direct/", meetings.direct_list, name="supervision_direct"),
]
