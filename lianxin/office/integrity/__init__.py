"""廉情监测 in the office (issue 19), for integrity staff only (manage_integrity): monitoring points, clues, joint
checks, transfers. Included by lianxin/office/urls.py under integrity/. Anyone else gets 404s, and a clue's pages
audit every attempt (lianxin.office.integrity.common)."""

from lianxin.office.integrity import clues, points

urlpatterns: list = [*clues.urlpatterns, *points.urlpatterns]
