import datetime

import pytest

from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.legislation import selectors as sel
from lianxin.legislation import services
from lianxin.legislation.models import AuthorKind, Comment, CommentStatus, DraftEvent, DraftStatus, Support
from lianxin.legislation.services import Author, comment_submit


def citizen(**kwargs):
    return Author(participant=kwargs.pop("participant", "b:one"), **kwargs)


def test_a_draft_is_written_with_its_structure_and_audited(world):
    draft = world.draft
    assert draft.title == "德清县农村生活垃圾分类管理条例（草案）"  # the text's first line when no title is given
    labels = list(draft.sections.order_by("order").values_list("level", "label"))
    assert labels[:2] == [("chapter", "第一章"), ("article", "第一条")]
    assert [a.label for a in world.articles] == ["第一条", "第二条", "第三条", "第四条"]
    assert world.articles[3].text.endswith("由村民委员会予以劝导。")
    assert world.articles[2].parent.heading == "分类投放"
    assert AuditEvent.objects.filter(action="legislation.draft_create", object_id=str(draft.pk)).exists()
    event = DraftEvent.objects.get(draft=draft)
    assert (event.action, event.old_status, event.new_status) == ("publish", "draft", "open")


def test_a_citizen_comments_on_an_article_quoting_a_passage(world):
    article = world.articles[0]
    start = article.text.index("改善农村人居环境")
    comment = comment_submit(
        draft=world.draft,
        section_id=article.pk,
        text="建议增加“美丽乡村建设”的表述。",
        author=citizen(person_name="张三丰", person_phone="138 1234 5678"),
        quote_start=start,
        quote_end=start + 8,
    )
    assert comment.quote_text == "改善农村人居环境"
    assert comment.person_phone == "13812345678"
    assert comment.author_kind == AuthorKind.CITIZEN
    assert sel.public_author(comment) == "张**"
    audit = AuditEvent.objects.get(action="legislation.comment_submit", object_id=str(comment.pk))
    assert audit.actor is None


def test_a_deputy_comment_is_marked_and_named(world):
    comment = comment_submit(
        draft=world.draft, section_id=None, text="总体赞成。", author=Author(user=world.deputy.user)
    )
    assert comment.author_kind == AuthorKind.DEPUTY
    assert comment.deputy == world.deputy
    assert comment.participant == f"u:{world.deputy.user.pk}"
    assert sel.public_author(comment) == "沈立法 代表"


def test_a_comment_on_an_article_of_another_draft_is_a_404_with_its_code(world, personas):
    other = services.draft_create(
        actor=personas.county_staff,
        contact_point=world.point,
        title="另一草案",
        text="第一条 甲。",
        opens_on=world.today,
        closes_on=world.today,
    )
    foreign = other.sections.get()
    with pytest.raises(DomainError) as caught:
        comment_submit(draft=world.draft, section_id=foreign.pk, text="意见", author=citizen())
    assert (caught.value.code, caught.value.status) == ("article_not_found", 404)
    with pytest.raises(DomainError) as caught:
        comment_submit(draft=world.draft, section_id=999999, text="意见", author=citizen())
    assert caught.value.code == "article_not_found"
    assert not Comment.objects.exists()


def test_a_comment_after_the_period_is_refused_in_chinese(world):
    late = world.draft.closes_on + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as caught:
        comment_submit(draft=world.draft, section_id=None, text="迟到的意见", author=citizen(), today=late)
    assert caught.value.code == "comment_period_closed"
    assert "截止" in caught.value.message


def test_a_comment_on_a_closed_draft_is_refused(world, personas):
    services.draft_transition(actor=personas.township_staff, draft=world.draft, action="close")
    with pytest.raises(DomainError) as caught:
        comment_submit(draft=world.draft, section_id=world.articles[0].pk, text="意见", author=citizen())
    assert caught.value.code == "comment_period_closed"


def test_an_unpublished_draft_takes_no_comment(world, personas):
    draft = services.draft_create(
        actor=personas.county_staff,
        contact_point=world.point,
        title="未发布",
        text="第一条 甲。",
        opens_on=world.today,
        closes_on=world.today,
    )
    with pytest.raises(NotFound):
        comment_submit(draft=draft, section_id=None, text="意见", author=citizen())


@pytest.mark.parametrize(
    ("text", "code"), [("", "field_required"), ("   ", "field_required"), ("长" * 2001, "field_too_long")]
)
def test_an_empty_or_too_long_comment_is_a_field_error(world, text, code):
    with pytest.raises(DomainError) as caught:
        comment_submit(draft=world.draft, section_id=None, text=text, author=citizen())
    assert (caught.value.code, caught.value.field) == (code, "text")


@pytest.mark.parametrize(("start", "end"), [(5, 5), (-1, 3), (0, 10_000), ("a", 3), (3, None)])
def test_a_quote_outside_the_article_is_refused(world, start, end):
    with pytest.raises(DomainError) as caught:
        comment_submit(
            draft=world.draft,
            section_id=world.articles[0].pk,
            text="意见",
            author=citizen(),
            quote_start=start,
            quote_end=end,
        )
    assert caught.value.code == "quote_invalid"


def test_a_general_comment_cannot_quote(world):
    with pytest.raises(DomainError) as caught:
        comment_submit(draft=world.draft, section_id=None, text="意见", author=citizen(), quote_start=0, quote_end=2)
    assert caught.value.code == "quote_invalid"


def test_a_bad_phone_is_a_field_error(world):
    with pytest.raises(DomainError) as caught:
        comment_submit(draft=world.draft, section_id=None, text="意见", author=citizen(person_phone="12345"))
    assert caught.value.field == "person_phone"


def test_the_same_form_token_posts_one_comment(world):
    first = comment_submit(draft=world.draft, section_id=None, text="意见", author=citizen(), form_token="tok-1")
    again = comment_submit(draft=world.draft, section_id=None, text="意见", author=citizen(), form_token="tok-1")
    assert first.pk == again.pk
    assert Comment.objects.count() == 1


def test_one_support_per_person(world):
    comment = comment_submit(draft=world.draft, section_id=None, text="意见", author=citizen())
    assert services.comment_support(comment=comment, voter="b:x") is True
    assert services.comment_support(comment=comment, voter="b:x") is False
    assert services.comment_support(comment=comment, voter="b:y") is True
    comment.refresh_from_db()
    assert comment.support_count == 2
    assert Support.objects.filter(comment=comment).count() == 2


def test_hiding_keeps_the_original_and_restoring_brings_it_back(world, personas):
    comment = comment_submit(draft=world.draft, section_id=None, text="广告：低价出售", author=citizen())
    with pytest.raises(DomainError) as caught:
        services.comment_hide(actor=personas.township_staff, comment=comment, reason="  ")
    assert caught.value.code == "field_required"
    hidden = services.comment_hide(actor=personas.township_staff, comment=comment, reason="与草案无关的广告")
    assert (hidden.status, hidden.hidden_reason, hidden.text) == (
        CommentStatus.HIDDEN,
        "与草案无关的广告",
        "广告：低价出售",
    )
    assert not sel.comments_public(draft=world.draft, section_id=None, general=True).exists()
    with pytest.raises(DomainError):
        services.comment_hide(actor=personas.township_staff, comment=comment, reason="again")
    restored = services.comment_restore(actor=personas.township_staff, comment=comment)
    assert restored.status == CommentStatus.VISIBLE
    actions = list(
        AuditEvent.objects.filter(object_id=str(comment.pk), action__startswith="legislation.comment_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["legislation.comment_submit", "legislation.comment_hide", "legislation.comment_restore"]
    audit = AuditEvent.objects.get(action="legislation.comment_hide")
    assert audit.changes["hidden_reason"] == ["", "与草案无关的广告"]


def test_staff_outside_the_region_get_a_404_and_others_a_403(world, personas):
    comment = comment_submit(draft=world.draft, section_id=None, text="意见", author=citizen())
    with pytest.raises(NotFound):
        services.comment_hide(actor=personas.outsider, comment=comment, reason="x")
    with pytest.raises(PermissionDenied):
        services.comment_hide(actor=personas.deputy, comment=comment, reason="x")
    with pytest.raises(PermissionDenied):
        services.draft_transition(actor=personas.grid_worker, draft=world.draft, action="close")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE


def test_the_workflow_refuses_a_step_from_the_wrong_status(world, personas):
    with pytest.raises(DomainError) as caught:
        services.draft_transition(actor=personas.township_staff, draft=world.draft, action="pass")
    assert caught.value.code == "status_invalid"
    with pytest.raises(DomainError):
        services.draft_transition(actor=personas.township_staff, draft=world.draft, action="fly")


def test_summary_walk_from_close_to_public_feedback(world, personas):
    staff = personas.township_staff
    first, second = world.articles[0], world.articles[1]
    comment_submit(draft=world.draft, section_id=first.pk, text="意见一", author=citizen(participant="b:1"))
    comment_submit(draft=world.draft, section_id=second.pk, text="意见二", author=citizen(participant="b:2"))
    comment_submit(draft=world.draft, section_id=second.pk, text="意见三", author=Author(user=world.deputy.user))
    with pytest.raises(DomainError) as caught:
        services.summary_set(actor=staff, draft=world.draft, section_id=first.pk, outcome="adopted", reason="好")
    assert caught.value.code == "summary_not_allowed"
    services.draft_transition(actor=staff, draft=world.draft, action="close")
    services.summary_set(actor=staff, draft=world.draft, section_id=first.pk, outcome="adopted", reason="已修改表述")
    with pytest.raises(DomainError) as caught:
        services.draft_transition(actor=staff, draft=world.draft, action="summarise")
    assert caught.value.code == "summary_incomplete"
    assert "第二条" in caught.value.message
    with pytest.raises(DomainError) as caught:
        services.summary_set(actor=staff, draft=world.draft, section_id=second.pk, outcome="maybe", reason="x")
    assert caught.value.code == "field_invalid"
    services.summary_set(
        actor=staff, draft=world.draft, section_id=second.pk, outcome="not_adopted", reason="上位法已规定"
    )
    services.summary_set(actor=staff, draft=world.draft, section_id=second.pk, outcome="partly", reason="部分吸收")
    draft = services.draft_transition(actor=staff, draft=world.draft, action="summarise")
    assert sel.feedback_rows(draft=draft) == []  # nothing public before it passes
    draft = services.draft_transition(actor=staff, draft=draft, action="pass", feedback_note="感谢参与")
    assert draft.status == DraftStatus.PASSED
    rows = sel.feedback_rows(draft=draft)
    assert [(r.label.split()[0], r.visible, r.summary.outcome) for r in rows] == [
        ("第一条", 1, "adopted"),
        ("第二条", 2, "partly"),
    ]
    totals = sel.draft_totals(draft=draft)
    assert (totals.comments, totals.participants, totals.deputies, totals.adoption_rate) == (3, 3, 1, 1.0)
    with pytest.raises(DomainError) as caught:
        services.summary_set(actor=staff, draft=draft, section_id=first.pk, outcome="partly", reason="改")
    assert caught.value.code == "draft_passed"
    audit = AuditEvent.objects.filter(action="legislation.summary_set").order_by("-id").first()
    assert audit.changes["outcome"] == ["not_adopted", "partly"]


def test_statistics_per_contact_point_and_year(world, personas):
    comment_submit(draft=world.draft, section_id=None, text="意见", author=citizen(participant="b:1"))
    comment_submit(draft=world.draft, section_id=None, text="再一条", author=citizen(participant="b:1"))
    rows = {r.point.pk: r for r in sel.statistics(user=personas.county_staff, year=world.draft.opens_on.year)}
    mine = rows[world.point.pk]
    assert (mine.drafts, mine.totals.comments, mine.totals.participants) == (1, 2, 1)
    assert rows[world.far_point.pk].drafts == 0
    township = sel.statistics(user=personas.township_staff, year=world.draft.opens_on.year)
    assert [r.point.pk for r in township] == [world.point.pk]  # 乾元镇's point is outside 武康
    assert sel.statistics(user=personas.township_staff, year=2001)[0].drafts == 0


def test_a_place_is_designated_once(world, personas):
    with pytest.raises(DomainError) as caught:
        services.contact_point_designate(actor=personas.county_staff, place=world.place)
    assert caught.value.code == "already_contact_point"


def test_replacing_the_text_is_only_before_publishing(world, personas):
    with pytest.raises(DomainError) as caught:
        services.draft_replace_text(actor=personas.township_staff, draft=world.draft, text="第一条 新。")
    assert caught.value.code == "draft_published"


@pytest.mark.parametrize("status", DraftStatus.values)
@pytest.mark.parametrize("action", list(services.TRANSITIONS))
def test_every_status_and_action_pair(world, personas, status, action):
    from lianxin.legislation.models import Draft

    Draft.objects.filter(pk=world.draft.pk).update(status=status)
    sources, target, _label = services.TRANSITIONS[action]
    params = {"closes_on": world.today + datetime.timedelta(days=5)} if action == "reopen" else {}
    if status in sources:
        draft = services.draft_transition(actor=personas.township_staff, draft=world.draft, action=action, **params)
        assert draft.status == target
        assert DraftEvent.objects.filter(draft=draft, action=action, old_status=status, new_status=target).exists()
    else:
        with pytest.raises(DomainError) as caught:
            services.draft_transition(actor=personas.township_staff, draft=world.draft, action=action, **params)
        assert caught.value.code == "status_invalid"
        world.draft.refresh_from_db()
        assert world.draft.status == status
