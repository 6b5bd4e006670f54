"""代表服务圈 as long jobs: the plan computed by the worker as its owner and saved, with its workbook; the household
import from an upload; a region outside the owner's scope refused on the form."""

import io

import openpyxl
import pytest

from lianxin.circle.models import CirclePlan, HouseholdPoint
from lianxin.core.errors import DomainError
from lianxin.ops.longjobs import job_file_open, job_start, longjobs_run
from lianxin.ops.models import JobStatus

pytestmark = pytest.mark.django_db


def run(actor, kind, params=None, upload=None):
    job = job_start(actor=actor, kind=kind, params=params or {}, upload=upload)
    assert longjobs_run() == 1
    job.refresh_from_db()
    return job


def test_the_worker_computes_and_saves_the_plan_with_its_workbook(personas, regions, town):
    job = run(personas.county_staff, "circle_plan", {"region": regions.deqing.code, "minutes": "15", "propose": "1"})
    assert job.status == JobStatus.DONE, job.message
    plan = CirclePlan.objects.get()
    assert plan.created_by == personas.county_staff and plan.ilp_gain == 500
    assert f"已保存方案 {plan.pk}" in job.message and "66.7%" in job.message
    with job_file_open(job) as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert "未覆盖网格" in book.sheetnames


def test_a_region_outside_the_owner_s_scope_is_refused_on_the_form(personas, regions, town):
    with pytest.raises(DomainError) as refused:
        job_start(actor=personas.outsider, kind="circle_plan", params={"region": regions.deqing.code})
    assert refused.value.field == "region"
    with pytest.raises(DomainError):
        job_start(
            actor=personas.county_staff, kind="circle_plan", params={"region": regions.deqing.code, "minutes": "90"}
        )


def test_household_points_are_imported_from_an_upload(personas, town):
    lat, lng = town.west
    data = f"地址,人数,纬度,经度\n居仁路1号,3,{lat},{lng}\n".encode()
    job = run(personas.county_staff, "circle_households_import", upload=("h.csv", data))
    assert job.status == JobStatus.DONE, job.message
    assert HouseholdPoint.objects.get().members == 3
