from django.urls import reverse


def test_the_login_page_is_in_chinese_and_a_clerk_logs_in_with_a_password(client, personas):
    page = client.get(reverse("admin:login"))
    assert page.status_code == 200
    assert "连心 · 人大代表联系群众平台" in page.content.decode()
    assert "用户名" in page.content.decode()

    response = client.post(
        reverse("admin:login"), {"username": "township_staff", "password": "pw-for-tests-only", "next": "/admin/"}
    )

    assert response.status_code == 302
    index = client.get("/admin/")
    body = index.content.decode()
    assert index.status_code == 200
    assert "代表与网格员" in body and "家站室" in body
    assert "账号与权限" not in body  # only administrators manage accounts


def test_a_deputy_cannot_log_in_to_the_back_office(client, personas):
    response = client.post(
        reverse("admin:login"), {"username": "deputy", "password": "pw-for-tests-only", "next": "/admin/"}
    )

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_root_sends_residents_to_the_public_home_not_the_staff_login(client, db):
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, reverse("portal:home"))
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert "用户名" not in home.content.decode()
