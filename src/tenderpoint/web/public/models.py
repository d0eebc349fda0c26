"""The public site: Wagtail pages with cited content, the glossary, the FAQ, articles, the
self-check and the contact form, plus the contact requests staff work through."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from modelcluster.fields import ParentalKey
from simple_history.models import HistoricalRecords
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from tenderpoint.web.public.choices import ContactMethod, ContactReason, ContactStatus
from tenderpoint.web.public.citations import CitedReference, cited_ids

RICH_TEXT_FEATURES = ["bold", "italic", "h3", "ol", "ul", "link"]


@register_snippet
class Reference(models.Model):
    """A source that page text cites with ``[[ref_id]]``."""

    ref_id = models.SlugField("reference id", max_length=60, unique=True)
    text = models.TextField(help_text="Authors. Title. Journal. Year;Volume(Issue):pages.")
    url = models.URLField(blank=True, help_text="DOI link or the official page.")

    panels = [FieldPanel("ref_id"), FieldPanel("text"), FieldPanel("url")]

    class Meta:
        ordering = ["ref_id"]

    def __str__(self) -> str:
        return f"{self.ref_id}: {self.text[:80]}"


class SectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    body = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "doc-full"
        template = "public/blocks/section.html"


class CitedPage(Page):
    """A page whose text may cite references; the reference list is built from the text."""

    og_type = "website"
    # Anonymous visitors may be served this page from the shared page cache (page_cache.py).
    # A page that renders a form (a CSRF token, what was typed) must set this to False.
    public_cache = True

    intro = models.TextField(blank=True)
    body = StreamField([("section", SectionBlock())], blank=True, use_json_field=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    class Meta:
        abstract = True

    def cited_texts(self) -> Iterator[str]:
        for block in self.body:
            yield block.value["body"].source

    def references(self) -> list[CitedReference]:
        ids = cited_ids(self.cited_texts())
        found = Reference.objects.in_bulk(ids, field_name="ref_id")
        return [
            CitedReference(n, ref_id, found[ref_id].text, found[ref_id].url or None)
            for n, ref_id in enumerate((i for i in ids if i in found), start=1)
        ]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        references = self.references()
        context["references"] = references
        context["citation_numbers"] = {r.ref_id: r.number for r in references}
        context["contact_page"] = ContactPage.objects.live().first()
        context["self_check_page"] = SelfCheckPage.objects.live().first()
        return context


class HomePage(CitedPage):
    """The clinic's front page."""

    max_count = 1
    subpage_types = [
        "public.ContentPage",
        "public.GlossaryPage",
        "public.FAQPage",
        "public.ArticleIndexPage",
        "public.SelfCheckPage",
        "public.ContactPage",
    ]


class ContentPage(CitedPage):
    """A page of sections, e.g. "What is fibromyalgia" or "Visit us"."""

    show_clinic_details = models.BooleanField(
        default=False, help_text="Show the clinic's address, hours, phone and SMS number."
    )
    content_panels = [*CitedPage.content_panels, FieldPanel("show_clinic_details")]
    parent_page_types = ["public.HomePage"]
    subpage_types: list[str] = []


class GlossaryPage(CitedPage):
    """Terms with short definitions; each term has its own anchor; searchable without JS."""

    max_count = 1
    parent_page_types = ["public.HomePage"]
    subpage_types: list[str] = []
    content_panels = [*CitedPage.content_panels, InlinePanel("terms", label="Terms")]

    def cited_texts(self) -> Iterator[str]:
        yield from super().cited_texts()
        for term in self.terms.all():
            yield term.definition

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        query = request.GET.get("q", "").strip()[:100]
        terms = self.terms.all()
        if query:
            terms = terms.filter(
                models.Q(term__icontains=query) | models.Q(definition__icontains=query)
            )
        context["query"] = query
        context["terms"] = sorted(terms, key=lambda t: t.term.casefold())
        return context


class GlossaryTerm(Orderable):
    page = ParentalKey(GlossaryPage, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    definition = RichTextField(features=RICH_TEXT_FEATURES)

    panels = [FieldPanel("term"), FieldPanel("slug"), FieldPanel("definition")]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["page", "slug"], name="unique_term_slug")]

    def __str__(self) -> str:
        return self.term


class FAQPage(CitedPage):
    """Questions and answers grouped by topic."""

    max_count = 1
    parent_page_types = ["public.HomePage"]
    subpage_types: list[str] = []
    content_panels = [*CitedPage.content_panels, InlinePanel("questions", label="Questions")]

    def cited_texts(self) -> Iterator[str]:
        yield from super().cited_texts()
        for item in self.questions.all():
            yield item.answer

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        topics: dict[str, list[FAQItem]] = {}
        for item in self.questions.all():
            topics.setdefault(item.topic, []).append(item)
        context["topics"] = topics
        return context


class FAQItem(Orderable):
    page = ParentalKey(FAQPage, on_delete=models.CASCADE, related_name="questions")
    topic = models.CharField(max_length=100)
    question = models.CharField(max_length=250)
    answer = RichTextField(features=RICH_TEXT_FEATURES)

    panels = [FieldPanel("topic"), FieldPanel("question"), FieldPanel("answer")]

    def __str__(self) -> str:
        return self.question


class ArticleIndexPage(CitedPage):
    """Research and articles: lists the published articles, newest first."""

    max_count = 1
    parent_page_types = ["public.HomePage"]
    subpage_types = ["public.ArticlePage"]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = (
            ArticlePage.objects.child_of(self).live().public().order_by("-date", "title")
        )
        return context


class ArticlePage(CitedPage):
    """One article with its own reference list."""

    og_type = "article"

    date = models.DateField("publication date", default=timezone.localdate)
    summary = models.TextField()

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*CitedPage.search_fields, index.SearchField("summary")]
    parent_page_types = ["public.ArticleIndexPage"]
    subpage_types: list[str] = []


class SelfCheckPage(CitedPage):
    """The 2016 criteria survey for visitors: screening that a clinician must confirm."""

    public_cache = False  # a form: each visitor gets their own CSRF token and answers
    max_count = 1
    parent_page_types = ["public.HomePage"]
    subpage_types: list[str] = []

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from tenderpoint.web.public.views import serve_self_check

        return serve_self_check(self, request)


class ContactPage(CitedPage):
    """The contact form; requests are stored, then staff are notified."""

    public_cache = False  # a form: each visitor gets their own CSRF token and answers
    max_count = 1
    parent_page_types = ["public.HomePage"]
    subpage_types: list[str] = []

    clinic = models.ForeignKey(
        "accounts.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=(
            "The clinic whose staff receive the requests sent with this form. Needed when "
            "the installation serves more than one clinic."
        ),
    )

    content_panels = [*CitedPage.content_panels, FieldPanel("clinic")]

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from tenderpoint.web.public.views import serve_contact

        return serve_contact(self, request)


class ContactRequest(models.Model):
    """A visitor's request to be contacted. Personal data: staff of the clinic only."""

    #: the id in URLs, e-mails and the audit trail: not guessable, not countable
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="contact_requests"
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    preferred_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    reason = models.CharField(max_length=20, choices=ContactReason.choices)
    message = models.TextField(max_length=4000)
    consent_to_contact = models.BooleanField()
    status = models.CharField(
        max_length=10, choices=ContactStatus.choices, default=ContactStatus.NEW, db_index=True
    )
    staff_notes = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    staff_notified_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Contact request {self.short_id} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("public:inbox_detail", kwargs={"request_id": self.public_id})

    @property
    def short_id(self) -> str:
        """The first eight characters of the public id, for people to refer to it."""
        return str(self.public_id)[:8]
