"""廉情监测 in the office (issue 19), for integrity staff only (manage_integrity): monitoring points, clues, joint
checks, transfers. Included by lianxin/office/urls.py under integrity/."""

urlpatterns: list = []
