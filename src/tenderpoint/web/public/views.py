"""Views of the public site that are not plain pages: self-check, contact, inbox, robots."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from tenderpoint.errors import TenderpointError
from tenderpoint.web.accounts.models import Clinic
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.audit.services import client_ip
from tenderpoint.web.public import services
from tenderpoint.web.public.choices import ContactStatus
from tenderpoint.web.public.forms import ContactForm, ContactRequestUpdateForm
from tenderpoint.web.public.models import ContactRequest
from tenderpoint.web.public.policies import contact_requests_visible_to
from tenderpoint.web.public.selfcheck import SelfCheckForm


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
            clinic = Clinic.objects.order_by("pk").first()
            if clinic is None:
                raise PermissionDenied("This site has no clinic configured yet.")
            services.do_store_contact_request(form, clinic=clinic, request=request)
            return redirect(f"{page.url}?sent=1")
    context["form"] = form
    return TemplateResponse(request, page.get_template(request), context, status=status)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("public.list_contactrequests", request.user):
        audit.record(Action.DENIED, request=request, object_type="public.contactrequest_list")
        raise PermissionDenied("Only clinic staff see contact requests.")
    requests_ = contact_requests_visible_to(request.user, ContactRequest.objects.all())
    status = request.GET.get("status", ContactStatus.NEW)
    if status in ContactStatus.values:
        requests_ = requests_.filter(status=status)
    else:
        status = ""
    page = Paginator(requests_, 25).get_page(request.GET.get("page"))
    audit.record(
        Action.VIEW,
        request=request,
        object_type="public.contactrequest_list",
        detail={"status": status, "page": page.number},
    )
    counts = {
        value: contact_requests_visible_to(
            request.user, ContactRequest.objects.filter(status=value)
        ).count()
        for value in ContactStatus.values
    }
    return TemplateResponse(
        request,
        "public/inbox.html",
        {"page": page, "status": status, "statuses": ContactStatus.choices, "counts": counts},
    )


@login_required
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact_request = get_object_or_404(ContactRequest, pk=pk)
    if not rules.has_perm("public.view_contactrequest", request.user, contact_request):
        audit.record(Action.DENIED, request=request, obj=contact_request)
        raise PermissionDenied("This request was sent to another clinic.")
    form = ContactRequestUpdateForm(request.POST or None, instance=contact_request)
    if request.method == "POST" and form.is_valid():
        services.do_update_contact_request(
            form.save(commit=False), user=request.user, request=request, changed=form.changed_data
        )
        return redirect(reverse("public:inbox"))
    audit.record(Action.VIEW, request=request, obj=contact_request)
    status = 422 if request.method == "POST" else 200
    return TemplateResponse(
        request, "public/inbox_detail.html", {"item": contact_request, "form": form}, status=status
    )


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
