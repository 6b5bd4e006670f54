"""The duty record's download for staff: /duties/record/<deputy>/<year>.pdf, for those with manage_duties over the
deputy's congress or electoral district; anyone else gets the 404 of a deputy that does not exist."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from lianxin.deputies.models import Deputy
from lianxin.duties.record import deputies_for_staff, duty_record_pdf


@login_required
@require_GET
def record_pdf(request: HttpRequest, deputy_id: int, year: int) -> HttpResponse:
    deputy = Deputy.objects.filter(deputies_for_staff(user=request.user), pk=deputy_id).first()
    if deputy is None or not 1950 <= year <= 2100:
        raise Http404("未找到该代表")
    response = HttpResponse(duty_record_pdf(deputy, year), content_type="application/pdf")
    filename = f"{deputy.name}-{year}年度履职档案.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
