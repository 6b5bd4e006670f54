"""No leak: a clue carrying a marker string is never shown by a public page, an API list (asked as county staff, who
hold every permission but manage_integrity), the case ledger (API .xlsx and .csv, the long job's export), the office's
case and suggestion lists and their search, or the admin; and no module outside the integrity pages reads the
integrity app at all, so no general export, search or figure can reach a clue."""

import io
import re
from pathlib import Path

import openpyxl
import pytest

from lianxin.api.v1 import api
from lianxin.integrity.tests.conftest import MARKER
from lianxin.integrity.workflow import ClueAction, clue_transition
from lianxin.ops.longjobs import job_file_open, job_start, longjobs_run

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/home/", "/results/", "/track/", "/find/", "/open/", "/open/330521000000/", "/suggestions/", "/laws/"]
OFFICE_PAGES = ["/office/", "/office/cases/?q=ZX9Q7", "/office/cases/", "/office/suggestions/", "/office/hotspots/"]
PACKAGE = Path(__file__).resolve().parents[2]
# The only modules that may import the integrity app: its own package, its office pages, its demo seed and the
# deputies' phone page (if added). Anything else reaching for it is a possible leak and must be reviewed here.
ALLOWED = ("integrity/", "office/integrity/", "demo/seed/integrity.py", "workbench/integrity_views.py")


@pytest.fixture
def transferred(world):
    """The clue taken all the way, so that its receipt and feedback carry the marker too."""
    params = {"receipt_number": "R-ZX9Q7", "transferred_on": None}
    clue_transition(
        clue=world.clue, action=ClueAction.SHARE, actor=world.integrity, params={"register_ref": MARKER[:40]}
    )
    clue_transition(clue=world.clue, action=ClueAction.TRANSFER, actor=world.integrity, params=params)
    clue_transition(clue=world.clue, action=ClueAction.FEEDBACK, actor=world.integrity, params={"feedback": MARKER})
    return world


def text_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):  # an .xlsx: its cells, not its zipped bytes
        book = openpyxl.load_workbook(io.BytesIO(body))
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.values for cell in row)
    return body.decode("utf-8", errors="replace")


def api_list_paths() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return [path for path, ops in paths.items() if "get" in ops and "{" not in path]


def test_public_pages_never_show_a_clue(client, transferred):
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), url
        assert MARKER not in text_of(response), url


def test_api_lists_and_the_ledger_never_show_a_clue_to_county_staff(client, transferred):
    client.force_login(transferred.personas.county_staff)
    paths = api_list_paths()
    assert "/api/v1/cases" in paths and "/api/v1/cases/ledger.xlsx" in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code != 500, path  # /health answers 503 without a worker
        assert MARKER not in text_of(response), path
        assert transferred.clue.number not in text_of(response), path


def test_the_office_lists_search_and_the_long_job_ledger_export_never_show_a_clue(client, transferred):
    county_staff = transferred.personas.county_staff
    client.force_login(county_staff)
    for url in OFFICE_PAGES:
        response = client.get(url)
        assert MARKER not in text_of(response), url
    job = job_start(actor=county_staff, kind="ledger_export", params={})
    assert longjobs_run() == 1
    job.refresh_from_db()
    with job_file_open(job) as handle:
        book = openpyxl.load_workbook(handle)
    assert MARKER not in str([list(sheet.values) for sheet in book.worksheets])


def test_the_admin_shows_no_clue_even_to_its_superuser(client, transferred, make_user):
    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    index = client.get("/admin/").content.decode()
    assert "廉情" not in index
    assert client.get("/admin/integrity/clue/").status_code == 404
    assert MARKER not in text_of(client.get("/admin/core/auditevent/"))


def test_no_module_outside_the_integrity_pages_imports_the_integrity_app():
    pattern = re.compile(r"lianxin\.integrity\b|from lianxin import integrity|get_model\(\s*['\"]integrity")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(ALLOWED) or "/tests/" in f"/{relative}":
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    # settings.py names the app in INSTALLED_APPS, nothing else may.
    assert offenders == ["settings.py"], offenders
