"""基层立法联系点 in the office (issue 19): drafts, their comments, moderation and the summary. Included by
lianxin/office/urls.py under legislation/."""

urlpatterns: list = []
