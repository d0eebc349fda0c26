"""The patient's questionnaires at /me/questionnaires/: the list and one form each."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tenderpoint.clinical import Instrument, get_instrument
from tenderpoint.errors import UnknownInstrumentError
from tenderpoint.web.portal.access import OwnRecordView
from tenderpoint.web.questionnaires import services
from tenderpoint.web.questionnaires.models import QuestionnaireResponse
from tenderpoint.web.questionnaires.rendering import (
    QuestionnaireForm,
    instrument_for_patients,
    patient_title,
)
from tenderpoint.web.questionnaires.schedule import clinic_rules, scheduled_for


class QuestionnaireListView(OwnRecordView):
    audit_object_type = "questionnaires.questionnaireresponse"
    portal_section = "questionnaires"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = self.local_now().date()
        recent = QuestionnaireResponse.objects.filter(patient=self.patient).current()[:10]
        recent_rows = [(response, _title(response.instrument_id)) for response in recent]
        context = {"scheduled": scheduled_for(self.patient, today), "recent": recent_rows}
        return render(request, "questionnaires/list.html", context)


class QuestionnaireView(OwnRecordView):
    """GET: the form; POST: check item 9 first, then check, score and store."""

    audit_object_type = "questionnaires.questionnaireresponse"
    portal_section = "questionnaires"

    def _instrument(self, instrument_id: str) -> Instrument:
        if instrument_id not in clinic_rules(self.patient.clinic):
            raise Http404("This questionnaire is not on your clinic's schedule.")
        try:
            instrument = instrument_for_patients(instrument_id)
        except UnknownInstrumentError:
            raise Http404("No such questionnaire.") from None
        if instrument is None:
            raise Http404("Your clinic has not installed the wording of this questionnaire.")
        return instrument

    def _render(
        self, request: HttpRequest, form: QuestionnaireForm, status: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {"form": form, "instrument": form.instrument, "clinic": self.patient.clinic}
        return render(request, "questionnaires/form.html", {**context, **extra}, status=status)

    def get(self, request: HttpRequest, instrument_id: str) -> HttpResponse:
        return self._render(request, QuestionnaireForm(self._instrument(instrument_id)))

    def post(self, request: HttpRequest, instrument_id: str) -> HttpResponse:
        instrument = self._instrument(instrument_id)
        flag_value = services.safety_answer(instrument.id, request.POST)
        if flag_value is not None:
            services.do_raise_safety_flag(
                self.patient,
                value=flag_value,
                user=request.user,
                request=request,
                instrument_id=instrument.id,
            )
        form = QuestionnaireForm(instrument, data=request.POST)
        if not form.is_valid():
            return self._render(request, form, status=422, crisis=flag_value is not None)
        assert form.result is not None  # noqa: S101  (is_valid scored it)
        response = services.do_submit_response(
            self.patient,
            instrument=instrument,
            answers=form.answers,
            result=form.result,
            user=request.user,
            request=request,
        )
        if flag_value is not None:
            # The crisis resources are shown at once, on this response, not after a redirect.
            return render(
                request,
                "questionnaires/done.html",
                {
                    "response": response,
                    "instrument": instrument,
                    "clinic": self.patient.clinic,
                    "crisis": True,
                },
            )
        name = patient_title(instrument)
        messages.success(request, f"Thank you. Your answers to the {name} are saved.")
        response_redirect = redirect("portal:questionnaires")
        response_redirect.status_code = 303
        return response_redirect


class SaveSelfCheckView(OwnRecordView):
    """Save the public self-check to the signed-in patient's record.

    The answers are checked and scored again here (a posted result is never trusted); the
    response is stored like any other questionnaire, with the core's version and explanation.
    """

    audit_object_type = "questionnaires.questionnaireresponse"
    portal_section = "questionnaires"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        from tenderpoint.web.public.selfcheck import INSTRUMENT_ID, SelfCheckForm

        form = SelfCheckForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The self-check answers were incomplete; nothing was saved.")
            return _see_other("portal:questionnaires")
        instrument = get_instrument(INSTRUMENT_ID)
        services.do_submit_response(
            self.patient,
            instrument=instrument,
            answers=form.answers(),
            result=form.score(),
            user=request.user,
            request=request,
        )
        messages.success(request, "Your self-check result is saved in your record.")
        return _see_other("portal:questionnaires")


def _title(instrument_id: str) -> str:
    """The instrument's name as the patient saw it on the form, not its internal id."""
    try:
        return patient_title(get_instrument(instrument_id))
    except UnknownInstrumentError:
        return instrument_id.upper()


def _see_other(name: str) -> HttpResponse:
    response = redirect(name)
    response.status_code = 303
    return response
