"""The second factor for staff: enrol a TOTP authenticator (QR code drawn here by segno, nothing fetched from
the internet) and verify a code after the password. Reached through StaffSessionMiddleware's redirect."""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lianxin.accounts.logins import login_event_record
from lianxin.accounts.models import LoginKind, User
from lianxin.core.audit import audit_record

DEVICE_NAME = "手机动态码"


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="6 位动态码",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"required": "请输入动态码", "invalid": "动态码是 6 位数字"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 8}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("admin:index") if request.user.is_staff else reverse("workbench:home")


def _device(user: User) -> tuple[TOTPDevice, bool]:
    """The user's confirmed authenticator, or a pending one to enrol (kept until confirmed, so reloading the page
    shows the same QR code)."""
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return confirmed, False
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return pending, True


@login_required(login_url="admin:login")
def otp(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(_next(request))
    device, enrolling = _device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", "尝试次数过多，请稍等片刻再输入")
        elif device.verify_token(form.cleaned_data["code"].strip()):
            with transaction.atomic():
                if enrolling:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    audit_record(actor=user, action="otp.enrol", obj=user, note="绑定手机动态码")
                    login_event_record(kind=LoginKind.OTP_ENROLLED, request=request, user=user)
                login_event_record(kind=LoginKind.OTP_SUCCESS, request=request, user=user)
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        else:
            login_event_record(kind=LoginKind.OTP_FAILURE, request=request, user=user)
            form.add_error("code", "动态码不正确或已过期，请输入手机上当前显示的 6 位数字")
    context = {"form": form, "enrolling": enrolling, "next": _next(request)}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=5, title="动态码绑定二维码")
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["issuer"] = settings.OTP_TOTP_ISSUER
    return render(request, "accounts/otp.html", context)
