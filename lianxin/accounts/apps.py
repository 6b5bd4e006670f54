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

        # Bearer tokens are cached per process; any saved change to a token, an account or a role (through a
        # service, the back office or a shell) makes every process read them again (accounts.services).
        from django.db.models.signals import post_delete, post_save

        from lianxin.accounts.models import ApiToken, RoleAssignment, User
        from lianxin.accounts.services import api_token_cache_invalidate

        for model in (ApiToken, RoleAssignment, User):
            for signal in (post_save, post_delete):
                signal.connect(
                    api_token_cache_invalidate, sender=model, dispatch_uid=f"api_token_cache_{model.__name__}"
                )
