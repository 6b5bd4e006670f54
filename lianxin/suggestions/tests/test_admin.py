"""Back office for suggestions: settings scoped to the congress regions staff manage, every save audited;
suggestions read-only (they move through the office's pages only)."""

import pytest

from lianxin.core.audit import AuditEvent
from lianxin.suggestions.models import Award, AwardStatus, Session, Suggestion, SuggestionRules

pytestmark = pytest.mark.django_db


def test_staff_see_the_sessions_of_their_congress_and_nothing_outside(client, world, personas):
    client.force_login(personas.county_staff)
    assert world.session.name in client.get("/admin/suggestions/session/").content.decode()
    assert client.get(f"/admin/suggestions/session/{world.session.pk}/change/").status_code == 200

    client.force_login(personas.outsider)  # township staff of 乾元镇
    assert world.session.name not in client.get("/admin/suggestions/session/").content.decode()
    assert client.get(f"/admin/suggestions/session/{world.session.pk}/change/").status_code == 404


def test_a_unit_handler_has_no_suggestions_admin(client, world, personas):
    client.force_login(personas.unit_handler)
    assert client.get("/admin/suggestions/session/").status_code == 403
    assert client.get("/admin/suggestions/suggestion/").status_code == 403


def test_rules_are_saved_with_an_audit_row_and_only_for_a_region_in_scope(client, world, personas, regions):
    client.force_login(personas.county_staff)
    form = {"level": "county", "bill_min_co_signers": 8, "reply_months": 3, "max_extension_months": 6,
            "reassign_workdays": 5, "co_opinion_months": 1, "rehandle_months": 1, "remind_days": 15,
            "key_per_year": 10}  # fmt: skip

    outside = client.post("/admin/suggestions/suggestionrules/add/", {**form, "region": regions.anji.pk})
    assert outside.status_code == 200 and not SuggestionRules.objects.exists()  # not a choice: the form refuses

    inside = client.post("/admin/suggestions/suggestionrules/add/", {**form, "region": regions.deqing.pk})
    assert inside.status_code == 302
    rules = SuggestionRules.objects.get()
    assert rules.remind_days == 15
    assert AuditEvent.objects.filter(object_type="suggestions.suggestionrules", object_id=str(rules.pk)).exists()


def test_suggestions_are_read_only_in_the_admin(client, world, personas):
    s = world.assigned()
    client.force_login(personas.county_staff)
    page = client.get(f"/admin/suggestions/suggestion/{s.pk}/change/")
    assert page.status_code == 200 and "县交通运输局" in page.content.decode()
    assert client.get("/admin/suggestions/suggestion/add/").status_code == 403

    client.post(f"/admin/suggestions/suggestion/{s.pk}/change/", {"title": "改掉的标题", "status": "closed"})
    fresh = Suggestion.objects.get(pk=s.pk)
    assert (fresh.title, fresh.status) == (s.title, s.status)
    assert client.post(f"/admin/suggestions/suggestion/{s.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Suggestion.objects.filter(pk=s.pk).exists()


def test_an_award_is_nominated_through_the_service_and_confirmed_by_an_action(client, world, personas, regions):
    client.force_login(personas.county_staff)
    draft = world.draft()
    refused = client.post("/admin/suggestions/award/add/", {"region": regions.deqing.pk, "year": 2026,
                                                            "kind": "best_suggestion", "suggestion": draft.pk})  # fmt: skip
    assert refused.status_code == 302 and not Award.objects.exists()  # only a rated or closed suggestion

    added = client.post("/admin/suggestions/award/add/", {"region": regions.deqing.pk, "year": 2026,
                                                          "kind": "best_unit", "unit": world.transport.pk,
                                                          "reason": "按时答复率高"})  # fmt: skip
    assert added.status_code == 302
    award = Award.objects.get()
    assert award.status == AwardStatus.NOMINATED
    assert AuditEvent.objects.filter(action="award_nominate").exists()

    client.post("/admin/suggestions/award/", {"action": "confirm_awards", "_selected_action": [award.pk]})
    award.refresh_from_db()
    assert award.status == AwardStatus.AWARDED and award.decided_on is not None
    assert AuditEvent.objects.filter(action="award_confirm").exists()


def test_the_router_models_list_opens_for_staff(client, world, personas):
    client.force_login(personas.county_staff)
    assert client.get("/admin/suggestions/suggestionrouter/").status_code == 200
    assert Session.objects.count() == 1
