import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lianxin.cases.models import Attachment, Case, CaseEvent, Rating, ReplyVia, Status
from lianxin.cases.workflow import case_transition
from lianxin.portal.tests.conftest import LAT, LNG, photo_bytes, solve_captcha
from lianxin.publicweb.abuse import captcha_check

pytestmark = pytest.mark.django_db


def form_data(html: str, **fields) -> dict:
    token, captcha_token, answer = solve_captcha(html)
    data = {
        "text": "居仁路东段三盏路灯一个月没亮了，晚上走路不安全。",
        "category": "",
        "address": "居仁路东段",
        "person_name": "王秀英",
        "person_phone": "13957211234",
        "wants_reply": "on",
        "captcha": answer,
        "captcha_token": captcha_token,
        "form_token": token,
        "website": "",
    }
    data.update(fields)
    return data


def submit(client, url, **fields):
    page = client.get(url).content.decode()
    return client.post(url, form_data(page, **fields))


def test_an_opinion_with_a_photo_gets_a_receipt_and_the_photo_loses_its_metadata(client, world):
    url = f"/d/{world.deputy.public_code}/submit"
    photo = SimpleUploadedFile("IMG_0001.jpg", photo_bytes(), content_type="image/jpeg")
    response = submit(client, url, photos=photo, category=str(world.category.pk))
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/receipt/{case.receipt_code}"
    assert (case.deputy, case.region, case.channel, case.category) == (
        world.deputy,
        world.deputy.mandates.get().district_region,
        "online",
        world.category,
    )
    assert (case.person_name, case.person_phone, case.reply_via) == ("王秀英", "13957211234", ReplyVia.SMS)
    assert case.title.startswith("居仁路东段三盏路灯") and len(case.title) <= 31
    assert CaseEvent.objects.filter(case=case, action="register").count() == 1
    attachment = Attachment.objects.get(case=case)
    with attachment.file.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
        assert not image.getexif() and "exif" not in image.info
    receipt = client.get(response["Location"]).content.decode()
    # Shown in two groups of four, as people read it out (3F7K-92QX).
    assert len(case.receipt_code) == 8 and f"{case.receipt_code[:4]}-{case.receipt_code[4:]}" in receipt


def test_submitting_the_same_form_twice_creates_one_case(client, world):
    url = f"/p/{world.place.public_code}/submit"
    page = client.get(url).content.decode()
    data = form_data(page)
    first = client.post(url, data)
    second = client.post(url, data)  # the same captcha too: the token is recognised before the captcha
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    assert Case.objects.get().place == world.place


def test_the_losing_post_of_a_double_tap_gets_the_receipt_not_a_used_captcha(client, world):
    url = f"/p/{world.place.public_code}/submit"
    data = form_data(client.get(url).content.decode())
    # The twin post, a moment earlier, has answered the question and is still registering the case.
    captcha_check(token=data["captcha_token"], answer=data["captcha"], form_token=data["form_token"])

    answer = client.post(url, data)

    assert answer.status_code == 302, answer.content.decode()
    case = Case.objects.get()
    assert answer["Location"] == f"/receipt/{case.receipt_code}"
    assert client.post(url, data)["Location"] == answer["Location"]  # and the twin's answer is the same receipt
    assert Case.objects.count() == 1


def test_a_wrong_captcha_or_a_filled_honeypot_creates_nothing(client, world):
    url = f"/d/{world.deputy.public_code}/submit"
    wrong = submit(client, url, captcha="99")
    assert wrong.status_code == 400 and "答案不对" in wrong.content.decode()
    bot = submit(client, url, website="http://spam.example")
    assert bot.status_code == 400
    assert Case.objects.count() == 0


def test_a_captcha_solution_is_used_once(client, world):
    url = f"/d/{world.deputy.public_code}/submit"
    page = client.get(url).content.decode()
    data = form_data(page)
    assert client.post(url, data).status_code == 302
    replay = client.post(url, {**data, "form_token": "another-form"})
    assert replay.status_code == 400 and "已使用过" in replay.content.decode()
    assert Case.objects.count() == 1


def test_too_many_submissions_from_one_phone_are_refused(client, world, settings):
    settings.PORTAL_RATE_SUBMIT_PHONE = (2, 3600)
    url = f"/d/{world.deputy.public_code}/submit"
    assert submit(client, url).status_code == 302
    assert submit(client, url).status_code == 302
    refused = submit(client, url)
    assert refused.status_code == 429 and "提交太频繁" in refused.content.decode()
    assert Case.objects.count() == 2
    assert submit(client, url, person_phone="13957219999").status_code == 302


def test_too_many_submissions_from_one_address_are_refused(client, world, settings):
    settings.PORTAL_RATE_SUBMIT_IP = (1, 3600)
    url = f"/d/{world.deputy.public_code}/submit"
    assert submit(client, url, person_phone="").status_code == 302
    assert submit(client, url, person_phone="", person_name="").status_code == 429


def test_a_file_that_is_not_an_image_is_refused_with_the_photo_named(client, world):
    url = f"/d/{world.deputy.public_code}/submit"
    fake = SimpleUploadedFile("a.jpg", b"not really a picture", content_type="image/jpeg")
    response = submit(client, url, photos=fake)
    assert response.status_code == 400 and "照片1: 不是有效的图片文件" in response.content.decode()
    assert Case.objects.count() == 0


def test_more_than_six_photos_are_refused(client, world):
    url = f"/d/{world.deputy.public_code}/submit"
    photos = [SimpleUploadedFile(f"{n}.png", photo_bytes("PNG", (20, 20), exif=False)) for n in range(7)]
    response = submit(client, url, photos=photos)
    assert response.status_code == 400 and "最多上传6张照片" in response.content.decode()


def test_an_anonymous_opinion_with_a_location_is_placed_in_its_grid(client, world):
    url = f"/d/{world.deputy.public_code}/submit"
    response = submit(
        client, url, person_name="", person_phone="", wants_reply="", lat=str(LAT + 0.002), lng=str(LNG + 0.002)
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.is_anonymous and case.grid == world.grid and case.reply_via == ReplyVia.NONE


def test_the_person_tracks_sees_the_reply_and_an_unsatisfied_rating_reopens_the_case(client, world, personas):
    submit(client, f"/d/{world.deputy.public_code}/submit")
    case = Case.objects.get()
    page = client.get(f"/track/{case.receipt_code}").content.decode()
    assert "王*" in page and "139****1234" in page and "王秀英" not in page and "13957211234" not in page
    assert "您的意见建议已登记" in page and "请您评价" not in page

    case = case_transition(case=case, action="accept", actor=personas.county_staff, params={"category": "transport"})
    case = case_transition(case=case, action="transfer", actor=personas.county_staff, params={"unit": world.unit.pk})
    case = case_transition(
        case=case, action="reply", actor=personas.unit_handler, params={"reply": "已安排维修，三日内修复"}
    )
    assert "已安排维修" not in client.get(f"/track/{case.receipt_code}").content.decode()  # not fed back yet
    case = case_transition(case=case, action="feed_back", actor=personas.county_staff)
    page = client.get(f"/track/{case.receipt_code}").content.decode()
    assert "已安排维修，三日内修复" in page and "已交由县交通运输局办理" in page and "请您评价" in page

    rated = client.post(f"/track/{case.receipt_code}", {"rating": Rating.UNSATISFIED, "comment": "还是不亮"})
    assert rated.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.rating, case.reopen_count) == (Status.TRANSFERRED, Rating.UNSATISFIED, 1)
    assert CaseEvent.objects.filter(case=case, action="reopen").exists()
    assert "已退回承办单位重新办理" in client.get(f"/track/{case.receipt_code}").content.decode()


def test_a_rating_before_the_reply_is_refused(client, world):
    submit(client, f"/d/{world.deputy.public_code}/submit")
    case = Case.objects.get()
    response = client.post(f"/track/{case.receipt_code}", {"rating": Rating.SATISFIED})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_a_location_outside_china_is_refused_with_a_visible_message(client, world):
    response = submit(client, f"/d/{world.deputy.public_code}/submit", lat="48.85", lng="2.35")
    assert response.status_code == 400 and "坐标不在中国境内" in response.content.decode()
    assert Case.objects.count() == 0


def test_a_receipt_code_handed_out_through_the_api_tracks_as_received_until_the_worker_registers_it(
    client, world, personas, regions
):
    from lianxin.cases.intake.queue import submission_accept, submissions_register_queued

    payload = {"channel": "hotline", "title": "路灯不亮", "body": "三盏路灯不亮。", "region": regions.jueren.code}
    code = submission_accept(actor=personas.township_staff, payload=payload).submission.receipt_code

    assert client.get("/track/", {"code": code.lower()})["Location"] == f"/track/{code}"
    pending = client.get(f"/track/{code}")
    assert pending.status_code == 200 and "正在登记" in pending.content.decode()

    submissions_register_queued()
    registered = client.get(f"/track/{code}").content.decode()
    assert "正在登记" not in registered and "路灯不亮" in registered
    assert client.get("/track/NOSUCHCODE99").status_code == 404


def test_a_submission_set_aside_by_an_error_tracks_as_being_handled_not_as_refused(client, world, personas, regions):
    from lianxin.cases.intake.queue import submission_accept
    from lianxin.cases.models import Submission

    payload = {"channel": "hotline", "title": "路灯不亮", "body": "三盏路灯不亮。", "region": regions.jueren.code}
    code = submission_accept(actor=personas.township_staff, payload=payload).submission.receipt_code
    Submission.objects.filter(receipt_code=code).update(status="failed", error_message="TypeError: internals")

    page = client.get(f"/track/{code}").content.decode()
    assert "工作人员正在处理" in page and "未能登记" not in page and "TypeError" not in page


def test_a_submission_looks_its_form_token_up_once(client, world, monkeypatch):
    """The page looks the token up before the captcha is spent; the service and registration do not ask again
    (issue 14: three lookups per submission). A race between two submits is still one case (the unique key)."""
    from lianxin.cases import selectors

    calls = []
    real = selectors.case_get_by_idempotency_key

    def counting(*, key):
        calls.append(key)
        return real(key=key)

    for module in ("lianxin.portal.services", "lianxin.cases.services"):
        monkeypatch.setattr(f"{module}.case_get_by_idempotency_key", counting)
    assert submit(client, f"/p/{world.place.public_code}/submit").status_code == 302
    assert len(calls) == 1 and Case.objects.count() == 1


def test_one_number_is_one_phone_for_the_rate_limit_however_it_is_typed(client, world, settings):
    settings.PORTAL_RATE_SUBMIT_PHONE = (2, 3600)
    url = f"/d/{world.deputy.public_code}/submit"
    assert submit(client, url, person_phone="139 5721 1234").status_code == 302
    assert submit(client, url, person_phone="+86 13957211234").status_code == 302
    assert submit(client, url, person_phone="139-5721-1234").status_code == 429
    assert set(Case.objects.values_list("person_phone", flat=True)) == {"13957211234"}
