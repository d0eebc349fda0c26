"""Views of the public site that are not plain pages: self-check, contact, inbox, robots."""

from __future__ import annotations

import logging
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from tenderpoint.errors import TenderpointError
from tenderpoint.web.audit.services import client_ip
from tenderpoint.web.common.access import ClinicView, RecordView, public_view
from tenderpoint.web.public import services
from tenderpoint.web.public.choices import ContactStatus
from tenderpoint.web.public.forms import ContactForm, ContactRequestUpdateForm
from tenderpoint.web.public.models import ContactRequest
from tenderpoint.web.public.policies import contact_requests_visible_to
from tenderpoint.web.public.selfcheck import SelfCheckForm

INBOX_PAGE_SIZE = 25
logger = logging.getLogger(__name__)


def serve_self_check(page: Any, request: HttpRequest) -> HttpResponse:
    """GET shows the survey; POST scores it with the clinical core and shows the result."""
    context = page.get_context(request)
    form = SelfCheckForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                context["result"] = form.score()
            except TenderpointError as error:
                form.add_error(None, error.message)
                status = 422
        else:
            status = 422
    context["form"] = form
    return TemplateResponse(request, page.get_template(request), context, status=status)


def serve_contact(page: Any, request: HttpRequest) -> HttpResponse:
    """Store the request before anything else; a honeypot hit is thanked and dropped."""
    context = page.get_context(request)
    if request.GET.get("sent") == "1":
        context["sent"] = True
        return TemplateResponse(request, page.get_template(request), context)
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_spam:
            return redirect(f"{page.url}?sent=1")
        if not form.is_valid():
            status = 422
        elif not services.check_contact_rate_limit(client_ip(request)):
            context["rate_limited"] = True
            status = 429
        else:
            try:
                clinic = services.clinic_for_contact_page(page)
            except services.ContactPageNotConnected:
                logger.exception("A contact request could not be routed to a clinic.")
                context["not_connected"] = True
                status = 503
            else:
                services.do_store_contact_request(form, clinic=clinic, request=request)
                return redirect(f"{page.url}?sent=1")
    context["form"] = form
    return TemplateResponse(request, page.get_template(request), context, status=status)


class InboxView(ClinicView, TemplateView):
    """The clinic's contact requests, 25 a page, filtered by status."""

    permission = "public.list_contactrequests"
    audit_object_type = "public.contactrequest_list"
    template_name = "public/inbox.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        visible = contact_requests_visible_to(request.user, ContactRequest.objects.all())
        status = request.GET.get("status", ContactStatus.NEW)
        if status not in ContactStatus.values:
            status = ""
        requests_ = visible.filter(status=status) if status else visible
        page = Paginator(requests_, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
        self.audit_detail = {"status": status, "page": page.number}
        counts = dict(
            visible.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        context = {
            "page": page,
            "status": status,
            "statuses": ContactStatus.choices,
            "counts": {value: counts.get(value, 0) for value in ContactStatus.values},
        }
        return TemplateResponse(request, self.template_name, context)


class InboxDetailView(RecordView, TemplateView):
    """One contact request, by its public id; staff change its status and notes."""

    permission = "public.view_contactrequest"
    model = ContactRequest
    url_kwarg = "request_id"
    audit_object_type = "public.contactrequest"
    template_name = "public/inbox_detail.html"

    def render_form(self, form: ContactRequestUpdateForm, status: int = 200) -> HttpResponse:
        context = {"item": self.object, "form": form}
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(ContactRequestUpdateForm(instance=self.object))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ContactRequestUpdateForm(request.POST, instance=self.object)
        if form.is_valid():
            services.do_update_contact_request(
                form.save(commit=False),
                user=request.user,
                request=request,
                changed=form.changed_data,
            )
            return redirect(reverse("public:inbox"))
        return self.render_form(form, status=422)


@public_view("robots.txt: public by definition")
@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /patients/",
        "Disallow: /manage/",
        "Disallow: /home/",
        "Disallow: /cms/",
        "Disallow: /operator/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
