"""监督 in the office (issue 19): supervision items and groups, integrity monitoring points (behind
manage_integrity), 约见 and 直通车. Included by lianxin/office/urls.py under supervision/."""

urlpatterns: list = []
