import datetime

import pytest
from django.utils import timezone

from lianxin.cases.models import Case, Status
from lianxin.open311.tests.conftest import BASE, parse, records

FORMATS = ["json", "xml"]


def publish(case: Case, **fields) -> Case:
    """Stand-in for the loop's end; the loop itself is walked in test_submitting."""
    Case.objects.filter(pk=case.pk).update(status=Status.PUBLISHED, **fields)
    case.refresh_from_db()
    return case


@pytest.fixture
def submitted(o311):
    """A case posted with the county key, not yet published."""
    return Case.objects.get(receipt_code=o311.post().json()[0]["service_request_id"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_spec_the_url_and_both_formats(client, db, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "json":
        endpoint = data["endpoints"][0]
        assert endpoint["url"] == "http://testserver/open311/v2/"
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    else:
        assert data.tag == "discovery"
        endpoint = data.find("endpoints/endpoint")
        assert endpoint.findtext("url") == "http://testserver/open311/v2/"
        assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
        assert [child.tag for child in data] == ["changeset", "contact", "key_service", "endpoints"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_categories_with_the_spec_fields(client, db, fmt):
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    services = records(response, fmt, "services", "service")
    transport = next(s for s in services if s["service_code"] == "transport")
    assert transport["service_name"] == "交通运输"
    assert transport["type"] == "realtime"
    assert transport["metadata"] in (False, "false")
    assert "公交" in transport["keywords"]
    assert set(transport) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_has_no_attributes_and_an_unknown_code_is_a_404(client, db, fmt):
    response = client.get(f"{BASE}/services/transport.{fmt}")
    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "json":
        assert data == {"service_code": "transport", "attributes": []}
    else:
        assert data.tag == "service_definition"
        assert data.findtext("service_code") == "transport"
        assert list(data.find("attributes")) == []

    missing = client.get(f"{BASE}/services/no-such-thing.{fmt}")
    assert missing.status_code == 404
    [err] = records(missing, fmt, "errors", "error")
    assert str(err["code"]) == "404" and "no-such-thing" in err["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_is_found_by_its_id_with_iso_times_and_no_personal_data(client, o311, fmt):
    response = o311.post(phone="13957211234", first_name="秀英", last_name="王", email="wang@example.com")
    code = response.json()[0]["service_request_id"]
    case = Case.objects.get(receipt_code=code)
    assert case.person_name == "王秀英" and case.person_phone == "13957211234"

    detail = client.get(f"{BASE}/requests/{code.lower()}.{fmt}")
    assert detail.status_code == 200
    [request] = records(detail, fmt, "service_requests", "request")
    assert request["service_request_id"] == code
    assert request["status"] == "open"
    assert request["service_code"] == "transport" and request["service_name"] == "交通运输"
    assert request["requested_datetime"].endswith("+08:00")
    assert datetime.datetime.fromisoformat(request["requested_datetime"]) == case.registered_at.replace(microsecond=0)
    assert request["agency_responsible"] in (None, "") and request["expected_datetime"] in (None, "")
    assert float(request["lat"]) == 30.545 and float(request["long"]) == 119.965
    text = detail.content.decode()
    assert "13957211234" not in text and "王秀英" not in text and "example.com" not in text
    assert request["service_request_id"] != str(case.pk)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_request_or_token_is_a_404_in_the_error_format(client, db, fmt):
    for path in (f"requests/NOSUCHCODE99.{fmt}", f"tokens/NOSUCHCODE99.{fmt}", f"nothing-here.{fmt}"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 404
        [err] = records(response, fmt, "errors", "error")
        assert str(err["code"]) == "404" and err["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_is_answered_with_the_request_id_it_names(client, o311, fmt):
    code = o311.post().json()[0]["service_request_id"]
    response = client.get(f"{BASE}/tokens/{code}.{fmt}")
    assert response.status_code == 200
    assert records(response, fmt, "service_requests", "request") == [{"service_request_id": code, "token": code}]


def test_the_public_list_holds_published_cases_only(client, o311, submitted):
    assert client.get(f"{BASE}/requests.json").json() == []
    publish(submitted)
    listed = client.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [submitted.receipt_code]
    assert listed[0]["status"] == "closed"


def test_a_client_sees_its_own_unpublished_requests_when_it_sends_its_key(client, o311, submitted):
    listed = client.get(f"{BASE}/requests.json", {"api_key": o311.key}).json()
    assert [r["service_request_id"] for r in listed] == [submitted.receipt_code]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bad_key_on_a_read_is_a_403(client, db, fmt):
    response = client.get(f"{BASE}/requests.{fmt}", {"api_key": "o311_wrong"})
    assert response.status_code == 403
    assert str(records(response, fmt, "errors", "error")[0]["code"]) == "403"


def test_several_ids_separated_by_commas_override_every_other_filter(client, o311):
    first = o311.post(description="第一件").json()[0]["service_request_id"]
    second = o311.post(description="第二件").json()[0]["service_request_id"]
    o311.post(description="第三件")
    listed = client.get(
        f"{BASE}/requests.xml", {"service_request_id": f"{first},{second}", "status": "closed", "service_code": "x"}
    )
    ids = {r["service_request_id"] for r in records(listed, "xml", "service_requests", "request")}
    assert ids == {first, second}


def test_the_list_filters_by_service_code_status_jurisdiction_and_dates(client, o311, regions):
    roads = Case.objects.get(receipt_code=o311.post().json()[0]["service_request_id"])
    noise = Case.objects.get(
        receipt_code=o311.post(service_code="environment", description="工地夜间施工噪音").json()[0][
            "service_request_id"
        ]
    )
    old = timezone.now() - datetime.timedelta(days=200)
    publish(roads)
    Case.objects.filter(pk=noise.pk).update(status=Status.TRANSFERRED)

    def ids(**params):
        response = client.get(f"{BASE}/requests.json", {"api_key": o311.key, **params})
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids() == {roads.receipt_code, noise.receipt_code}
    assert ids(service_code="environment") == {noise.receipt_code}
    assert ids(service_code="environment,transport") == {roads.receipt_code, noise.receipt_code}
    assert ids(status="open") == {noise.receipt_code}
    assert ids(status="closed") == {roads.receipt_code}
    assert ids(status="open,closed") == {roads.receipt_code, noise.receipt_code}
    assert ids(jurisdiction_id=regions.wukang.code) == {roads.receipt_code, noise.receipt_code}
    assert ids(jurisdiction_id=regions.qianyuan.code) == set()
    assert ids(jurisdiction_id="330521") == {roads.receipt_code, noise.receipt_code}

    Case.objects.filter(pk=noise.pk).update(registered_at=old)
    assert ids() == {roads.receipt_code}
    start = (old - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (old + datetime.timedelta(days=1)).isoformat()
    assert ids(start_date=start, end_date=end) == {noise.receipt_code}
    assert ids(start_date=start) == {noise.receipt_code}
    assert ids(end_date=end) == {noise.receipt_code}


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"start_date": "yesterday"}, 400, "start_date"),
        ({"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"}, 400, "90"),
        ({"start_date": "2025-02-01T00:00:00Z", "end_date": "2025-01-01T00:00:00Z"}, 400, "end_date"),
        ({"status": "pending"}, 400, "status"),
        ({"jurisdiction_id": "999999999999"}, 404, "jurisdiction_id"),
        ({"service_request_id": ",".join(f"C{i}" for i in range(101))}, 400, "service_request_id"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_filters_are_refused_in_the_error_format(client, db, fmt, params, status, words):
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == status
    [err] = records(response, fmt, "errors", "error")
    assert str(err["code"]) == str(status) and words in err["description"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "0001-01-01T00:00:00+14:00"}, "start_date"),
        ({"end_date": "0001-01-05"}, "end_date"),
        ({"start_date": "9999-12-30"}, "start_date"),
        ({"start_date": "1999-12-01", "end_date": "2000-01-05"}, "start_date"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_beyond_the_years_cases_can_have_are_refused_not_a_server_error(client, db, fmt, params, field):
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    [err] = records(response, fmt, "errors", "error")
    assert err["description"].startswith(f"{field}: ")


def test_the_list_is_one_query_however_many_cases(client, o311, submitted, django_assert_num_queries):
    for i in range(5):
        publish(Case.objects.get(receipt_code=o311.post(description=f"第{i}件").json()[0]["service_request_id"]))
    with django_assert_num_queries(1):
        response = client.get(f"{BASE}/requests.json")
    assert len(response.json()) == 5


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_method_is_a_405_in_the_error_format(client, db, fmt):
    response = client.post(f"{BASE}/services.{fmt}")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert str(records(response, fmt, "errors", "error")[0]["code"]) == "405"


PERSONAL = "我住居仁路160号3单元501室，电话139 1234 5678，门口路灯一个月没亮了"
PUBLISHED = "居仁路东段路灯不亮。答复：已更换灯具。"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_public_feed_carries_only_the_published_text_a_coarse_address_and_the_grids_centre(client, o311, fmt):
    code = o311.post(
        description=PERSONAL, address_string="武康街道居仁路160号3单元501室", lat="30.5412", long="119.9687"
    )
    case = Case.objects.get(receipt_code=code.json()[0]["service_request_id"])
    assert case.grid is not None and (case.lat, case.lng) == (30.5412, 119.9687)
    publish(case, public_title="居仁路路灯不亮", public_text=PUBLISHED)

    for response in (
        client.get(f"{BASE}/requests.{fmt}"),
        client.get(f"{BASE}/requests/{case.receipt_code}.{fmt}"),
        client.get(f"{BASE}/requests.{fmt}", {"service_request_id": case.receipt_code}),
    ):
        [request] = records(response, fmt, "service_requests", "request")
        assert request["description"] == PUBLISHED
        assert request["address"] == "居仁社区居委会"
        assert (float(request["lat"]), float(request["long"])) == (30.545, 119.965)  # JR-01's centre
        text = response.content.decode()
        for secret in ("160号", "501室", "1234 5678", "门口路灯", "30.5412", "119.9687"):
            assert secret not in text


def test_a_case_without_a_grid_is_located_to_about_100_metres(client, o311):
    code = o311.post(lat=None, long=None, address_string="武康街道居仁路18号").json()[0]["service_request_id"]
    case = Case.objects.get(receipt_code=code)
    publish(case, public_text=PUBLISHED, lat=30.543219, lng=119.987654)
    [request] = client.get(f"{BASE}/requests.json").json()
    assert (request["lat"], request["long"]) == (30.543, 119.988)
    assert request["address"] == "德清县" and "居仁路18号" not in str(request)


def test_a_request_not_yet_published_shows_no_description_to_anyone(client, o311):
    code = o311.post(description=PERSONAL).json()[0]["service_request_id"]
    for response in (
        client.get(f"{BASE}/requests/{code}.json"),
        client.get(f"{BASE}/requests.json", {"api_key": o311.key}),
    ):
        [request] = response.json()
        assert request["description"] is None
        assert "139 1234 5678" not in response.content.decode()
