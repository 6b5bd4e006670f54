from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lianxin.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        # axes' receivers first (importing its signals module connects them), so a lockout is already marked on
        # the request when lianxin.accounts.logins records the failure.
        import axes.signals  # noqa: F401
        from django.contrib.auth import signals

        from lianxin.accounts import login_admin, logins  # noqa: F401  login_admin registers the read-only log

        signals.user_logged_in.connect(logins.on_logged_in, dispatch_uid="lianxin_login_audit_in")
        signals.user_login_failed.connect(logins.on_login_failed, dispatch_uid="lianxin_login_audit_failed")
        signals.user_logged_out.connect(logins.on_logged_out, dispatch_uid="lianxin_login_audit_out")
