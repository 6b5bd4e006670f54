from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Category, Status
from lianxin.cases.services import case_register
from lianxin.routing.models import Proposal, ProposalStatus
from lianxin.routing.services import case_propose, router_train_from_cases


def test_the_triage_page_shows_proposals_with_confidence_and_the_clerk_corrects_one(client, history, personas):
    router_train_from_cases(actor=None, min_samples=20, threshold=0.999)
    case = history.register(history.fresh[0])
    proposal = case_propose(case=case)
    client.force_login(personas.township_staff)

    page = client.get("/admin/routing/proposal/")
    assert page.status_code == 200
    text = page.content.decode()
    assert case.receipt_code in text and f"{proposal.confidence:.0%}" in text

    detail = client.get(f"/admin/routing/proposal/{proposal.pk}/change/")
    assert detail.status_code == 200 and "人工分办" in detail.content.decode()

    health = Category.objects.get(code="health")
    answer = client.post(
        f"/admin/routing/proposal/{proposal.pk}/change/", {"final_category": health.pk, "final_unit": ""}
    )
    assert answer.status_code == 302
    proposal.refresh_from_db()
    case.refresh_from_db()
    assert proposal.status == ProposalStatus.CORRECTED and proposal.final_category == health
    assert case.status == Status.ACCEPTED and case.category == health


def test_outsiders_do_not_see_the_proposal(client, history, personas):
    proposal = case_propose(case=history.register(history.fresh[0]))
    client.force_login(personas.outsider)
    assert client.get(f"/admin/routing/proposal/{proposal.pk}/change/").status_code == 404
    assert Proposal.objects.visible_to(personas.outsider).count() == 0


def test_the_hotspot_page_lists_candidates_and_merges_them_in_one_post(client, personas, regions):
    cases = [
        case_register(
            actor=None,
            draft=CaseDraft(
                channel="online",
                title=title,
                body=body,
                region=regions.jueren,
                category=Category.objects.get(code="urban-construction"),
            ),
        ).case
        for title, body in [
            ("居仁社区三号楼门口停车难", "居仁社区三号楼门口车辆乱停，消防通道被堵，停车非常困难。"),
            ("反映居仁社区三号楼停车难", "居仁社区三号楼门口每天晚上车辆乱停乱放，消防通道堵死，停车难。"),
        ]
    ]
    client.force_login(personas.township_staff)
    page = client.get("/admin/routing/proposal/hotspots/")
    assert page.status_code == 200 and "居仁社区三号楼" in page.content.decode()

    answer = client.post("/admin/routing/proposal/hotspots/", {"master": cases[0].pk, "cases": [c.pk for c in cases]})
    assert answer.status_code == 302
    cases[1].refresh_from_db()
    assert cases[1].status == Status.MERGED and cases[1].master_id == cases[0].pk


def test_staff_see_a_banner_on_the_triage_queue_while_the_active_model_cannot_be_read(client, history, personas):
    from lianxin.routing import services
    from lianxin.routing.models import RouterVersion

    version = router_train_from_cases(actor=None, min_samples=20)
    RouterVersion.objects.filter(pk=version.pk).update(libraries={"scikit-learn": "0.24.2"})
    services._loaded.clear()
    case_propose(case=history.register(history.fresh[0]))  # finds it unreadable, sends the case to triage
    client.force_login(personas.township_staff)

    text = client.get("/admin/routing/proposal/").content.decode()
    assert f"分办模型 v{version.number} 无法读取" in text and "scikit-learn 0.24.2" in text

    services.router_repair()
    assert "无法读取（" not in client.get("/admin/routing/proposal/").content.decode()
