"""The demo county's 基层立法联系点的法规草案与意见 (issue 19). Written through the app's services.

A station of 武康街道 (居仁社区's when it exists) is the county's grassroots legislative contact point. Its main draft,
《德清县农村生活垃圾分类管理条例（草案）》 (eight chapters, forty-one articles), went through a month of comments two
months ago: about two hundred from citizens and the demo deputy, on articles, on quoted passages and in general,
some supported, a few hidden with a reason, every commented article concluded (adopted / partly / not adopted) and
the regulation passed, so its 公开反馈 is on the portal. A second, short draft (a national law sent for comment) is
open now, for a visitor to comment on."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from lianxin.legislation import services
from lianxin.legislation.models import ArticleSummary, Comment, ContactPoint, Draft, DraftEvent, Outcome, Support
from lianxin.legislation.services import Author
from lianxin.venues.models import Place, PlaceKind

COMMENT_TARGET = 200

MAIN_TEXT = """德清县农村生活垃圾分类管理条例（草案）
第一章　总则
第一条　为了推进农村生活垃圾分类，减少垃圾产生，提高资源化利用水平，改善农村人居环境，建设美丽乡村，根据《中华人民共和国固体废物污染环境防治法》等法律、法规，结合本县实际，制定本条例。
第二条　本条例适用于本县行政区域内农村生活垃圾的源头减量、分类投放、分类收集、分类运输、分类处置及其监督管理等活动。
本条例所称农村生活垃圾，是指在农村日常生活中或者为农村日常生活提供服务的活动中产生的固体废物。
第三条　农村生活垃圾分类管理遵循政府主导、村民主体、全域覆盖、因地制宜、城乡统筹的原则。
第四条　县人民政府应当加强对农村生活垃圾分类管理工作的领导，将其纳入国民经济和社会发展规划，建立协调机制，所需经费列入财政预算。
镇人民政府、街道办事处负责本辖区内农村生活垃圾分类的组织实施工作。
第五条　县环境卫生主管部门是本县农村生活垃圾分类管理的主管部门，负责指导、协调、监督和考核工作。
发展改革、财政、生态环境、农业农村、商务、市场监督管理等部门按照各自职责做好相关工作。
第六条　村民委员会应当将生活垃圾分类要求纳入村规民约，组织村民参与生活垃圾分类，协助做好宣传、指导和监督工作。
第二章　规划与设施建设
第七条　县环境卫生主管部门应当会同有关部门编制农村生活垃圾分类专项规划，报县人民政府批准后实施。
第八条　专项规划应当合理布局分类收集点、中转站、资源化处理站点和可回收物回收网点。
第九条　新建、改建、扩建农村住宅小区和集中居住点，应当按照标准配套建设生活垃圾分类收集设施。
第十条　分类收集容器应当标识清晰、规格统一、摆放合理，方便村民投放。
第十一条　易腐垃圾资源化处理站点的选址应当符合环境保护要求，与居民住宅保持必要的防护距离。
第十二条　任何单位和个人不得擅自拆除、迁移、占用或者损坏生活垃圾分类设施。
确需拆除、迁移的，应当经县环境卫生主管部门同意，并按照先建后拆的原则重建。
第三章　分类投放
第十三条　农村生活垃圾分为易腐垃圾、可回收物、有害垃圾和其他垃圾四类。
县环境卫生主管部门应当制定并公布分类目录和投放指南。
第十四条　村民是生活垃圾分类投放的责任人，应当按照规定的时间、地点和方式分类投放生活垃圾。
第十五条　易腐垃圾应当去除包装物后投放至易腐垃圾收集容器；有害垃圾应当投放至有害垃圾收集容器，易破损或者易流失的应当包裹后投放。
第十六条　大件垃圾应当预约回收或者投放至指定地点，不得随意堆放。
第十七条　民宿、农家乐等经营者应当设置分类收集容器，引导游客分类投放，并对其产生的易腐垃圾单独收集。
第十八条　农贸市场、学校、机关等单位应当落实生活垃圾分类管理责任，明确专人负责。
第十九条　村民委员会可以设立生活垃圾分类督导员，对投放行为进行指导和劝导。
第四章　收集、运输与处置
第二十条　生活垃圾应当分类收集、分类运输，禁止将已分类的生活垃圾混合收集、混合运输。
第二十一条　收集、运输单位应当按照规定的时间、频次和路线收运，做到日产日清。
第二十二条　运输车辆应当密闭，标识清晰，防止遗撒、滴漏。
第二十三条　易腐垃圾应当就近资源化处理，处理产物优先用于农业生产。
第二十四条　可回收物应当交由再生资源回收企业回收利用。
第二十五条　有害垃圾应当交由具有相应资质的单位处置。
第二十六条　其他垃圾应当运送至焚烧发电等处置设施进行无害化处理。
第五章　促进措施
第二十七条　县人民政府应当建立生活垃圾分类激励机制，对成绩突出的单位和个人给予表彰。
第二十八条　推行生活垃圾分类积分制度，村民可以凭积分兑换生活用品或者服务。
第二十九条　鼓励开展“绿色家庭”“美丽庭院”等创建活动，将生活垃圾分类情况作为评选的重要内容。
第三十条　学校应当将生活垃圾分类知识纳入教育教学内容。
第三十一条　鼓励减少使用一次性用品，推行净菜上市、简约包装。
第三十二条　鼓励社会资本参与农村生活垃圾分类设施的建设和运营。
第六章　监督管理
第三十三条　县环境卫生主管部门应当建立农村生活垃圾分类考核评价制度，定期公布考核结果。
第三十四条　镇人民政府、街道办事处应当对辖区内生活垃圾分类情况进行日常检查。
第三十五条　建立生活垃圾分类信息化监管平台，实现收运处置全过程监管。
第三十六条　任何单位和个人有权对违反本条例的行为进行投诉、举报。
第七章　法律责任
第三十七条　违反本条例规定，单位未按照规定分类投放生活垃圾的，由综合行政执法部门责令改正；拒不改正的，处五千元以上五万元以下罚款。
第三十八条　违反本条例规定，个人未按照规定分类投放生活垃圾的，由村民委员会劝导；经劝导拒不改正的，由综合行政执法部门处五十元以上二百元以下罚款。
第三十九条　收集、运输单位将已分类的生活垃圾混合收运的，由综合行政执法部门责令改正，处五千元以上五万元以下罚款。
第四十条　国家机关工作人员在农村生活垃圾分类管理工作中玩忽职守、滥用职权、徇私舞弊的，依法给予处分。
第八章　附则
第四十一条　本条例自2027年1月1日起施行。
"""

OPEN_TEXT = """中华人民共和国某某法（征求意见稿）
第一章　总则
第一条　为了规范基层立法联系点工作，保障人民群众有序参与立法，制定本法。
第二条　基层立法联系点应当广泛听取基层群众对法律草案的意见建议。
第三条　基层立法联系点收集的意见建议，应当如实整理、及时报送。
第二章　意见征集
第四条　法律草案征求意见期间，基层立法联系点应当通过座谈会、走访、网络等多种方式征集意见。
第五条　征集意见时应当注重听取基层干部群众、企业、社会组织和人大代表的意见。
第六条　对征集到的意见，基层立法联系点应当逐条汇总，注明意见来源。
第三章　附则
第七条　本法自公布之日起施行。
"""

OPINIONS = [
    "建议将“{q}”的表述进一步细化，明确具体标准。",
    "“{q}”这一规定很有必要，但建议明确由谁负责落实。",
    "建议在“{q}”之后增加对老年人、残疾人等群体的帮扶措施。",
    "“{q}”在山区村执行有困难，建议因地制宜，给予过渡期。",
    "对“{q}”有不同意见：农村实际情况差异大，建议由各村结合实际确定。",
    "赞成本条。建议同时明确考核办法，防止流于形式。",
    "建议本条增加村民监督的内容，定期公开收运情况。",
    "本条与上位法的衔接需要再研究，建议征求司法部门意见。",
    "建议加强宣传培训，很多老人分不清易腐垃圾和其他垃圾。",
    "我们村已经在做积分兑换，效果不错，建议写进条例推广。",
    "外出务工人员节假日返乡时垃圾量大，建议增加临时收运安排。",
    "民宿旺季垃圾多，建议对民宿经营户的分类责任规定得更具体。",
    "罚款标准建议与本县农村收入水平相适应。",
    "建议明确保洁员的待遇保障，否则队伍不稳定。",
    "垃圾桶破损后更换不及时，建议规定维修更换的时限。",
    "建议增加对分类收集后又混装运输行为的举报奖励。",
]
GENERAL = [
    "条例整体很好，贴近农村实际，希望尽快出台。",
    "建议在附则中明确条例的解释机关。",
    "建议条例多用群众听得懂的语言，便于在村里宣传。",
    "希望条例出台后配套制定实施细则和分类指南。",
    "建议增加对县城周边城乡结合部的适用规定。",
]
SPAM = [
    ("低价出售农资，请加微信联系", "含广告内容"),
    ("这跟垃圾分类没关系，我要反映隔壁占道", "与草案内容无关"),
    ("某某干部就是不作为！！！", "含人身攻击言辞"),
]
SURNAMES = "王李张刘陈杨沈吴周徐孙朱胡姚钱施俞费蔡"
GIVEN = ["建国", "丽华", "志强", "秀英", "伟", "芳", "海燕", "国平", "美琴", "晓东", "春花", "建华", "林", "雪梅"]
OUTCOME_REASONS = {
    Outcome.ADOPTED: ["已按意见修改条文表述", "已采纳，增加相应规定", "意见合理，已在修改稿中体现"],
    Outcome.PARTLY: ["部分采纳，其余内容在实施细则中规定", "原则采纳，具体标准由主管部门另行制定"],
    Outcome.NOT_ADOPTED: [
        "上位法已有规定，不再重复",
        "与条例调整范围不符，建议通过其他途径解决",
        "执行成本较高，暂不采纳",
    ],
}


def _contact_place() -> Place | None:
    stations = Place.objects.filter(kind=PlaceKind.STATION, is_active=True).order_by("region__path", "id")
    return (
        stations.filter(region__name__contains="居仁").first()
        or stations.filter(region__name__contains="武康").first()
        or stations.first()
    )


def _citizen(rng: random.Random, n: int) -> Author:
    named = rng.random() < 0.45
    phone = f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}" if rng.random() < 0.3 else ""
    return Author(
        person_name=(rng.choice(SURNAMES) + rng.choice(GIVEN)) if named else "",
        person_phone=phone,
        participant=f"b:demo-{n}",
    )


def _quote(rng: random.Random, text: str) -> tuple[int, int, str] | None:
    first_line = text.split("\n")[0]
    if len(first_line) < 12:
        return None
    length = rng.randint(6, min(18, len(first_line) - 2))
    start = rng.randrange(0, len(first_line) - length)
    return start, start + length, first_line[start : start + length]


@transaction.atomic
def write_legislation(rng: random.Random, *, today: datetime.date) -> None:
    place = _contact_place()
    staff = get_user_model().objects.filter(username="county").first()
    if place is None or staff is None:
        return
    deputy_user = get_user_model().objects.filter(username="deputy").first()
    point = services.contact_point_designate(
        actor=staff,
        place=place,
        designated_on=today - datetime.timedelta(days=700),
        note="县人大常委会确定的基层立法联系点",
    )
    opens_on, closes_on = today - datetime.timedelta(days=75), today - datetime.timedelta(days=45)
    draft = services.draft_create(
        actor=staff,
        contact_point=point,
        title="",
        text=MAIN_TEXT,
        stage="review",
        intro="县人大常委会对《德清县农村生活垃圾分类管理条例（草案）》进行了初次审议，现通过基层立法联系点公开征求意见。",
        opens_on=opens_on,
        closes_on=closes_on,
    )
    draft = services.draft_transition(actor=staff, draft=draft, action="publish")
    articles = list(draft.sections.filter(level="article").order_by("order"))
    # Some articles draw many comments (the duties, the fines), most a few, some none.
    weights = [rng.choice((0, 1, 1, 2, 3)) for _ in articles]
    for hot in ("第十四条", "第二十八条", "第三十八条", "第十七条", "第四条"):
        weights[[a.label for a in articles].index(hot)] = 10
    comments: list[Comment] = []
    participants = 130
    for n in range(COMMENT_TARGET):
        day = opens_on + datetime.timedelta(days=rng.randrange(0, (closes_on - opens_on).days + 1))
        if n < len(SPAM):
            text, _reason = SPAM[n]
            comments.append(
                services.comment_submit(draft=draft, section_id=None, text=text, author=_citizen(rng, n), today=day)
            )
            continue
        author = Author(user=deputy_user) if deputy_user and n % 25 == 0 else _citizen(rng, rng.randrange(participants))
        if rng.random() < 0.08:
            comments.append(
                services.comment_submit(
                    draft=draft, section_id=None, text=rng.choice(GENERAL), author=author, today=day
                )
            )
            continue
        article = rng.choices(articles, weights=[w + 0.2 for w in weights])[0]
        quote = _quote(rng, article.text) if rng.random() < 0.45 else None
        template = rng.choice(OPINIONS)
        if "{q}" in template:
            quoted = quote[2] if quote else article.text.split("，")[0][:14]
            text = template.format(q=quoted)
        else:
            text = template
        comments.append(
            services.comment_submit(
                draft=draft,
                section_id=article.pk,
                text=text,
                author=author,
                quote_start=quote[0] if quote else None,
                quote_end=quote[1] if quote else None,
                today=day,
            )
        )
    for comment in comments[len(SPAM) :]:
        for voter in range(rng.choice((0, 0, 0, 1, 2, 5, 12))):
            services.comment_support(comment=comment, voter=f"b:demo-support-{voter}")
    for comment, (_text, reason) in zip(comments, SPAM, strict=False):
        services.comment_hide(actor=staff, comment=comment, reason=reason)
    draft = services.draft_transition(actor=staff, draft=draft, action="close", note="征求意见期满")
    commented = sorted({c.section_id for c in comments[len(SPAM) :]}, key=lambda s: s or 0)
    for section_id in commented:
        outcome = rng.choices(list(Outcome), weights=(4, 3, 3))[0]
        services.summary_set(
            actor=staff,
            draft=draft,
            section_id=section_id,
            outcome=outcome,
            reason=rng.choice(OUTCOME_REASONS[outcome]),
        )
    draft = services.draft_transition(actor=staff, draft=draft, action="summarise", note="已报送县人大常委会法工委")
    services.draft_transition(
        actor=staff,
        draft=draft,
        action="pass",
        passed_on=today - datetime.timedelta(days=10),
        feedback_note="条例已经县人民代表大会常务委员会审议通过。感谢各位村民、代表提出的宝贵意见！",
    )
    national = services.draft_create(
        actor=staff,
        contact_point=point,
        title="",
        text=OPEN_TEXT,
        kind="national",
        stage="drafting",
        intro="全国人大常委会法工委通过基层立法联系点征求意见，欢迎提出意见建议。",
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=25),
    )
    national = services.draft_transition(actor=staff, draft=national, action="publish")
    first = national.sections.filter(level="article").order_by("order").first()
    for n, text in enumerate(("建议明确意见报送的时限。", "赞成，建议把网络征集的方式写得更具体。")):
        services.comment_submit(
            draft=national, section_id=first.pk if first else None, text=text, author=_citizen(rng, 500 + n)
        )


def clear_legislation() -> None:
    """Delete what write_legislation wrote (the app's rows; the audit log keeps its record)."""
    Support.objects.all().delete()
    ArticleSummary.objects.all().delete()
    Comment.objects.all().delete()
    DraftEvent.objects.all().delete()
    for draft in Draft.objects.all():
        draft.sections.filter(parent__isnull=False).delete()
        draft.sections.all().delete()
    Draft.objects.all().delete()
    ContactPoint.objects.all().delete()
