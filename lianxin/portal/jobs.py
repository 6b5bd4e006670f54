"""A township's posters as a long job (issue 15): the QR posters of every serving deputy and active place of a
region in one A4 PDF, the file `print_posters` writes and /posters/<code>.pdf serves. Registered here rather than in
lianxin.ops.longjob_kinds because the posters are drawn by this interface package, which ops may not import
(pyproject's [tool.importlinter]); portal may import ops. Imported by PortalConfig.ready()."""

from typing import Any

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.tabular import Progress
from lianxin.ops.longjobs import JobKind, Output, Param, kind_register
from lianxin.ops.models import LongJob
from lianxin.portal.posters import region_posters
from lianxin.regions.models import Region


def _posters_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The region of the posters, one the actor sees the registry of (the download's own rule); blank: the one
    region they see, when they see one."""
    code = str(params.get("region") or "").strip()
    if not code:
        paths = [] if actor.is_superuser else actor.scope_paths(Perm.VIEW_REGISTRY)
        if len(paths) != 1:
            raise DomainError("field_required", "区划代码: 请填写要印制海报的区划（如乡镇）", field="region")
        return {"region": Region.objects.get(path=paths[0]).code}
    region = Region.objects.filter(code=code).first()
    if region is None or not actor.has_perm_in(Perm.VIEW_REGISTRY, region.path):
        raise DomainError("field_invalid", "区划代码: 不存在，或不在您的管辖范围内", field="region")
    return {"region": region.code}


def _posters_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    actor = job.owner
    region = Region.objects.filter(code=params["region"]).first()
    if actor is None or region is None or not actor.has_perm_in(Perm.VIEW_REGISTRY, region.path):
        raise PermissionDenied("您没有该区划的查看权限，海报未生成")
    progress(0, 0, f"正在排版{region.name}的代表和家站室海报")
    pdf = region_posters(region=region)
    return Output(
        message=f"{region.name}的二维码海报已生成（{len(pdf) // 1024} KB），请下载后用 A4 纸打印",
        file_name=f"二维码海报-{region.name}.pdf",
        file_data=pdf,
    )


kind_register(
    JobKind(
        name="region_posters",
        button="生成海报",
        label="印制乡镇二维码海报",
        perm=Perm.VIEW_REGISTRY,
        run=_posters_run,
        clean=_posters_clean,
        region_code=lambda params: params.get("region"),
        params=(Param("region", "区划代码", "region", help="12位代码，如乡镇；留空为您的管辖范围"),),
        help="该区划全部在任代表和家站室的二维码海报，每张一页，合成一个 A4 PDF；接待安排印每周的规律，不印具体日期。",
    )
)
