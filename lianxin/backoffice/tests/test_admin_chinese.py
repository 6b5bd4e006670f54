"""Issue 15: the back office for Chinese users: apps in a clerk's order, Chinese wording on every page a
superuser can open from the index, the office's red theme and a way back to the office."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, label_for_field
from django.test import RequestFactory

from lianxin.deputies.models import Deputy, GridWorker, Mandate, MandateLevel
from lianxin.regions.services import grid_save
from lianxin.testing import square

# Words that may stay in Latin letters: abbreviations and names a clerk meets as such.
ALLOWED = {"ID", "QR", "API", "Open311", "Excel", "IP", "TOTP", "GeoJSON", "PDF", "CSV", "xlsx", "F1"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")


class VisibleText(HTMLParser):
    """The text a reader sees, less data: the rows of a list (codes, usernames) and a filter's choices (values)."""

    DATA = ("script", "style", "noscript", "tbody")

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.in_filters = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "nav" and ("id", "changelist-filter") in attrs:
            self.in_filters = True
        if tag in self.DATA or (self.in_filters and tag == "ul"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_filters = False
        if tag in self.DATA or (self.in_filters and tag == "ul"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_words(text: str) -> set[str]:
    return {word for word in WORD.findall(text) if word not in ALLOWED}


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def root(make_user):
    return make_user("管理员", is_superuser=True, is_staff=True, display_name="系统管理员")


@pytest.fixture
def some_rows(regions):
    """A row in the people lists so that their column headers are rendered too."""
    grid = grid_save(actor=None, region=regions.jueren, code="G-1", name="居仁一网格", polygon=square(119.95, 30.5))
    deputy = Deputy.objects.create(name="王五", gender="male")
    Mandate.objects.create(deputy=deputy, level=MandateLevel.COUNTY, congress_region=regions.deqing, term=17)
    GridWorker.objects.create(name="李四", grid=grid, phone="13700000001")


def changelist_urls(index_html: str) -> list[str]:
    return sorted(set(re.findall(r'href="(/admin/[a-z_0-9]+/[a-z_0-9]+/)"', index_html)))


def test_the_index_lists_apps_in_a_clerks_order_cases_and_people_first_settings_and_system_last(client, root):
    client.force_login(root)
    html = client.get("/admin/").content.decode()
    captions = re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', html)
    assert captions[:3] == ["意见建议", "智能分办", "代表与网格员"]
    assert captions[-4:] == ["账号与权限", "认证和授权", "双因素认证", "系统"]
    assert captions.index("区划与网格") > captions.index("选举与选民登记")
    # inside an app, the everyday list first
    deputies = html[html.index(">代表与网格员<") :]
    assert deputies.index(">代表<") < deputies.index(">网格员<") < deputies.index(">联系户<")


def test_the_index_and_every_changelist_show_no_english_words(client, root, some_rows):
    client.force_login(root)
    index = client.get("/admin/")
    assert index.status_code == 200
    urls = changelist_urls(index.content.decode())
    assert len(urls) > 30  # every list of the back office, not a few

    found = {"/admin/": english_words(visible_text(index.content.decode()))}
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        found[url] = english_words(visible_text(page.content.decode()))

    assert {url: words for url, words in found.items() if words} == {}


def test_every_column_filter_action_and_field_label_of_every_admin_is_chinese(root):
    """What the crawl cannot see on an empty list: column headers, filter titles, form labels."""
    request = RequestFactory().get("/admin/")
    request.user = root
    request.session = {}
    english = []
    for model, model_admin in admin.site._registry.items():
        labels = [model_admin.opts.verbose_name, model_admin.opts.verbose_name_plural]
        labels += [label_for_field(n, model, model_admin) for n in model_admin.get_list_display(request)[1:]]
        for spec in model_admin.get_list_filter(request):
            if isinstance(spec, str | tuple | list):
                path = spec if isinstance(spec, str) else spec[0]
                labels.append(get_fields_from_path(model, path)[-1].verbose_name)
            else:
                labels.append(spec.title)
        labels += [description for _func, _name, description in model_admin.get_actions(request).values()]
        if model_admin.has_add_permission(request):  # the labels of the form's fields, as the page shows them
            labels += [field.label for field in model_admin.get_form(request).base_fields.values()]
        for label in labels:
            text = str(label).replace("%(verbose_name_plural)s", str(model_admin.opts.verbose_name_plural))
            if english_words(text):
                english.append(f"{model._meta.label}: {text}")
    assert english == [], "\n".join(english)


def test_the_header_links_to_the_office_and_carries_the_offices_red_without_outside_assets(client, root):
    client.force_login(root)
    html = client.get("/admin/deputies/deputy/").content.decode()
    assert '<a class="office-link" href="/office/">返回工作台</a>' in html
    head = html.split("</head>")[0]
    assert "--header-bg: #a3141c" in head
    assert "http://" not in head and "https://" not in head and "//" not in head.replace("://", "")


def test_the_office_link_reaches_the_office_for_a_clerk(client, personas):
    client.force_login(personas.county_staff)
    html = client.get("/admin/").content.decode()
    href = re.search(r'class="office-link" href="([^"]+)"', html)
    assert href is not None
    assert client.get(href.group(1)).status_code == 200
