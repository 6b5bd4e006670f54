"""The staff office (/office/): the pages where a congress's staff do their daily work — the home with the to-do
counts of their scope, the case pages, imports and long jobs with progress — in one layout whose menu shows each
person only what their roles allow. Django admin (/admin/) stays for reference data.

An interface package (top row of docs/architecture.md): it calls the apps' services and selectors and writes no
model itself. Each app's staff pages plug in as one module here (`cases_views.py`, `jobs_views.py`, …) and one
menu entry in `nav.py`."""
