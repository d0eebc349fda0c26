"""Forms of the console. They parse and name bad fields; the rules live in services and cores."""

from __future__ import annotations

from typing import Any

from django import forms

from tenderpoint.pharmacology import contraindications, dosing
from tenderpoint.pharmacology.patient import WEIGHT_BASES
from tenderpoint.web.infusions.choices import (
    AdverseEventType,
    AppointmentStatus,
    RateEventKind,
    Severity,
)
from tenderpoint.web.infusions.models import (
    Appointment,
    ClinicInfusionSettings,
    Course,
)

YES_NO = [("", "Not answered"), ("yes", "Yes"), ("no", "No")]
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class YesNoField(forms.TypedChoiceField):
    """A yes/no question whose blank answer stays distinct from "no"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(
            *args,
            choices=YES_NO,
            coerce=lambda v: v == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )


CHECKLIST_LABELS: dict[str, str] = {
    "hypersensitivity_to_ketamine": "Known hypersensitivity to ketamine",
    "bp_rise_hazard": "Recent stroke, aneurysm, unstable angina or recent myocardial infarction",
    "active_psychosis": "Active psychosis or schizophrenia",
    "pregnant_or_preeclampsia": "Pregnant, pre-eclampsia or eclampsia",
    "untreated_hyperthyroidism": "Untreated hyperthyroidism",
    "theophylline_or_aminophylline": "Takes theophylline or aminophylline",
    "elevated_icp": "Raised intracranial pressure",
    "elevated_iop_glaucoma_or_open_globe": "Raised intra-ocular pressure, glaucoma, open globe",
    "controlled_cardiovascular_disease": "Controlled cardiovascular disease",
    "benzodiazepine_or_opioid": "Takes a benzodiazepine or an opioid",
    "repeated_high_dose_courses": "Has had repeated high-dose ketamine courses",
}


class ContraindicationForm(forms.Form):
    """The structured checklist of ``contraindications.check`` (reference 3.6)."""

    systolic_bp_mmhg = forms.FloatField(label="Resting systolic BP (mmHg)", required=False)
    diastolic_bp_mmhg = forms.FloatField(label="Resting diastolic BP (mmHg)", required=False)
    hepatic_disease = forms.ChoiceField(
        label="Hepatic disease",
        required=False,
        choices=[
            ("", "Not answered"),
            ("none", "None"),
            ("mild", "Mild"),
            ("moderate", "Moderate"),
            ("severe", "Severe"),
        ],
    )
    substance_use_disorder = forms.ChoiceField(
        label="Substance use disorder",
        required=False,
        choices=[("", "Not answered"), ("none", "None"), ("past", "Past"), ("active", "Active")],
    )
    stop_bang_score = forms.IntegerField(
        label="STOP-Bang score (0–8)", required=False, min_value=0, max_value=8
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CHECKLIST_LABELS.items():
            self.fields[name] = YesNoField(label=label)

    def answers(self) -> dict[str, Any]:
        known = set(contraindications.Answers.__dataclass_fields__)
        out = {}
        for key, value in self.cleaned_data.items():
            if key in known and value not in (None, ""):
                out[key] = value
        return out


PRODUCTS = [("racemic", "Racemic ketamine"), ("esketamine", "Esketamine (S-ketamine)")]


def protocol_choices() -> list[tuple[str, str]]:
    return [("", "Direct dose (no protocol)")] + [
        (p.protocol_id, f"{p.name} — {p.indication}") for p in dosing.PROTOCOLS.values()
    ]


class PlanForm(forms.Form):
    """Everything ``plan_infusion`` needs; the patient's age comes from the record."""

    protocol_id = forms.ChoiceField(label="Protocol", required=False, choices=())
    product = forms.ChoiceField(choices=PRODUCTS, initial="racemic")
    dose_mg_per_kg = forms.FloatField(
        label="Direct dose (mg/kg over the duration)", required=False, min_value=0
    )
    dose_mg_per_kg_per_h = forms.FloatField(
        label="Direct dose rate (mg/kg/h)", required=False, min_value=0
    )
    duration_min = forms.FloatField(label="Duration (min)", required=False, min_value=0)
    bolus_mg_per_kg = forms.FloatField(label="Bolus (mg/kg)", required=False, min_value=0)
    bolus_duration_min = forms.FloatField(label="Bolus over (min)", required=False, min_value=0)
    vial_mg_per_ml = forms.TypedChoiceField(
        label="Vial strength (mg/mL)",
        coerce=float,
        choices=[(s, f"{s:g} mg/mL") for s in (10.0, 50.0, 100.0, 5.0, 25.0)],
        initial=50.0,
    )
    container = forms.ChoiceField(choices=[("bag", "Bag"), ("syringe", "Syringe")])
    bag_volume_ml = forms.FloatField(label="Diluent volume (mL)", min_value=0, initial=250)
    weight_kg = forms.FloatField(label="Weight measured today (kg)", min_value=0)
    height_cm = forms.FloatField(label="Height (cm)", min_value=0)
    model_sex = forms.ChoiceField(
        label="Sex used by the dosing-weight formulas",
        choices=[("female", "Female"), ("male", "Male")],
    )
    dosing_weight_basis = forms.ChoiceField(
        label="Dosing weight basis",
        required=False,
        choices=[("", "The obesity rule decides")] + [(b, b) for b in WEIGHT_BASES],
    )
    dosing_weight_reason = forms.CharField(label="Reason for that basis", required=False)
    first_pain_infusion = forms.TypedChoiceField(
        label="First pain infusion (guideline minimum applies)",
        required=False,
        choices=[("", "As the protocol says"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    course = forms.ModelChoiceField(queryset=Course.objects.none(), required=False)
    appointment = forms.ModelChoiceField(queryset=Appointment.objects.none(), required=False)

    def __init__(
        self, *args: Any, patient: Any = None, warnings: Any = (), hard: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol_id"].choices = protocol_choices()
        if patient is not None:
            self.fields["course"].queryset = Course.objects.for_patient(patient)
            self.fields["appointment"].queryset = (
                Appointment.objects.current()
                .filter(patient=patient)
                .select_related("patient__clinic")
            )
        for warning in warnings:
            self.fields[f"ack_{warning['code']}"] = forms.BooleanField(
                label=f"I acknowledge: {warning['message']}", required=False
            )
        for finding in hard:
            self.fields[f"override_{finding['code']}"] = forms.CharField(
                label=f"Prescriber override of “{finding['message']}” — reason",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def core_inputs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        inputs = {
            k: v
            for k, v in data.items()
            if not k.startswith(("ack_", "override_")) and v not in (None, "")
        }
        inputs.setdefault("protocol_id", None)
        inputs["course"] = data.get("course")
        inputs["appointment"] = data.get("appointment")
        return inputs

    def acknowledged(self) -> list[str]:
        return [k[4:] for k, v in self.cleaned_data.items() if k.startswith("ack_") and v]

    def overrides(self) -> dict[str, str]:
        return {k[9:]: v for k, v in self.cleaned_data.items() if k.startswith("override_") and v}


class DoubleCheckForm(forms.Form):
    """The blind re-entry: the plan's values are not shown on this form."""

    product = forms.ChoiceField(choices=[("", "Choose"), *PRODUCTS])
    vial_mg_per_ml = forms.DecimalField(label="Vial strength on the label (mg/mL)")
    final_concentration_mg_per_ml = forms.DecimalField(label="Final concentration (mg/mL)")
    weight_kg = forms.DecimalField(label="Patient weight (kg)")
    total_dose_mg = forms.DecimalField(label="Total dose (mg)")
    pump_rate_ml_per_h = forms.DecimalField(label="Pump rate, main infusion (mL/h)")


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "kind",
            "planned_infusions",
            "start_date",
            "end_date",
            "status",
            "stop_reason",
            "notes",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "stop_reason": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class AppointmentForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["kind", "course", "starts_at", "duration_min", "chair", "status"]
        widgets = {"starts_at": DATETIME_INPUT}
        labels = {"starts_at": "Date and time (clinic time)"}

    def __init__(self, *args: Any, patient: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if patient is not None:
            self.fields["course"].queryset = Course.objects.for_patient(patient)


class AppointmentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AppointmentStatus.choices)


class PreChecksForm(forms.Form):
    fasting = forms.BooleanField(label="Fasting as instructed", required=False)
    escort = forms.BooleanField(label="Escort home confirmed", required=False)
    consent = forms.BooleanField(label="Consent signed", required=False)
    weight_kg = forms.FloatField(label="Weight measured today (kg)", min_value=20, max_value=350)
    systolic_bp_mmhg = forms.FloatField(label="Systolic BP (mmHg)", min_value=30, max_value=300)
    diastolic_bp_mmhg = forms.FloatField(label="Diastolic BP (mmHg)", min_value=30, max_value=300)
    heart_rate_bpm = forms.IntegerField(label="Heart rate (/min)", min_value=20, max_value=250)
    spo2_pct = forms.IntegerField(label="SpO₂ (%)", min_value=50, max_value=100)
    respiratory_rate_per_min = forms.IntegerField(
        label="Respiratory rate (/min)", min_value=2, max_value=60
    )
    pregnant_or_preeclampsia = YesNoField(label="Pregnancy test positive (where relevant)")
    theophylline_or_aminophylline = YesNoField(label="New: theophylline or aminophylline")
    benzodiazepine_or_opioid = YesNoField(label="Benzodiazepine or opioid taken today")


class PumpEventForm(forms.Form):
    kind = forms.ChoiceField(choices=RateEventKind.choices)
    at = forms.DateTimeField(label="Time", widget=DATETIME_INPUT)
    rate_ml_per_h = forms.FloatField(
        label="Pump rate (mL/h)", min_value=0, max_value=999, required=False
    )
    reason = forms.CharField(required=False)

    def __init__(self, *args: Any, hard: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for finding in hard:
            self.fields[f"override_{finding['code']}"] = forms.CharField(
                label=f"Prescriber override of “{finding['message']}” — reason", required=False
            )

    def overrides(self) -> dict[str, str]:
        return {k[9:]: v for k, v in self.cleaned_data.items() if k.startswith("override_") and v}


class VitalsForm(forms.Form):
    at = forms.DateTimeField(label="Time", widget=DATETIME_INPUT)
    systolic_mmhg = forms.IntegerField(label="Systolic (mmHg)", min_value=40, max_value=300)
    diastolic_mmhg = forms.IntegerField(label="Diastolic (mmHg)", min_value=20, max_value=200)
    heart_rate_bpm = forms.IntegerField(label="Heart rate (/min)", min_value=20, max_value=250)
    spo2_pct = forms.IntegerField(label="SpO₂ (%)", min_value=50, max_value=100)
    respiratory_rate_per_min = forms.IntegerField(
        label="Resp. rate (/min)", min_value=2, max_value=60
    )
    moaas = forms.IntegerField(label="MOAA/S (0–5)", min_value=0, max_value=5)
    etco2_mmhg = forms.IntegerField(
        label="EtCO₂ (mmHg)", required=False, min_value=0, max_value=100
    )
    action_taken = forms.CharField(label="Action taken (required on an alert)", required=False)

    def values(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data.get(k)
            for k in (
                "systolic_mmhg",
                "diastolic_mmhg",
                "heart_rate_bpm",
                "spo2_pct",
                "respiratory_rate_per_min",
                "moaas",
                "etco2_mmhg",
            )
        }


CADSS_ANCHORS = [(i, f"{i}") for i in range(5)]


class ScoreForm(forms.Form):
    """CADSS-6 items (0–4; the item wording is not shipped, see docs), pain NRS, Aldrete."""

    instrument = forms.ChoiceField(
        choices=[
            ("cadss6", "CADSS-6"),
            ("pain_nrs_severity", "Pain NRS"),
            ("modified_aldrete", "Modified Aldrete"),
        ]
    )
    phase = forms.ChoiceField(
        choices=[("baseline", "Baseline"), ("during", "During"), ("recovery", "Recovery")]
    )
    at = forms.DateTimeField(label="Time", widget=DATETIME_INPUT)
    cadss_items = forms.CharField(
        label="CADSS-6 items 1, 2, 6, 7, 15, 22 (six numbers 0–4, comma-separated)",
        required=False,
    )
    nrs = forms.IntegerField(label="Pain now (0–10)", required=False, min_value=0, max_value=10)
    activity = forms.IntegerField(required=False, min_value=0, max_value=2, label="Activity (0–2)")
    respiration = forms.IntegerField(
        required=False, min_value=0, max_value=2, label="Respiration (0–2)"
    )
    circulation = forms.IntegerField(
        required=False, min_value=0, max_value=2, label="Circulation (0–2)"
    )
    consciousness = forms.IntegerField(
        required=False, min_value=0, max_value=2, label="Consciousness (0–2)"
    )
    spo2 = forms.IntegerField(required=False, min_value=0, max_value=2, label="SpO₂ (0–2)")

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        instrument = data["instrument"]
        if instrument == "cadss6":
            raw = [p.strip() for p in (data.get("cadss_items") or "").split(",") if p.strip()]
            try:
                return {"items": [int(p) for p in raw]}
            except ValueError:
                return {"items": raw}
        if instrument == "pain_nrs_severity":
            return {"nrs": data.get("nrs")}
        return {
            k: data.get(k)
            for k in ("activity", "respiration", "circulation", "consciousness", "spo2")
        }


class AdverseEventForm(forms.Form):
    at = forms.DateTimeField(label="Time", widget=DATETIME_INPUT)
    event_type = forms.ChoiceField(label="Type", choices=AdverseEventType.choices)
    severity = forms.ChoiceField(choices=Severity.choices)
    description = forms.CharField(required=False)
    action = forms.CharField(label="Action taken")
    outcome = forms.CharField()


class DischargeForm(forms.Form):
    at = forms.DateTimeField(label="Discharge time", widget=DATETIME_INPUT)
    escort = forms.CharField(label="Responsible adult escort (name, relation)", required=False)


class DispositionForm(forms.Form):
    """A documented end other than discharge (the discharge form covers going home)."""

    kind = forms.ChoiceField(
        label="Disposition",
        choices=[
            ("transferred", "Transferred to emergency care"),
            ("left_against_advice", "Left against medical advice"),
        ],
    )
    at = forms.DateTimeField(label="Time", widget=DATETIME_INPUT)
    reason = forms.CharField(
        label="Why, and where the patient went", widget=forms.Textarea(attrs={"rows": 2})
    )


class ControlledSubstanceForm(forms.Form):
    vial_lot = forms.CharField(label="Vial lot")
    vial_expiry = forms.DateField(
        label="Vial expiry", widget=forms.DateInput(attrs={"type": "date"})
    )
    drawn_mg = forms.DecimalField(label="Amount drawn (mg)", min_value=0)
    wasted_mg = forms.DecimalField(label="Amount wasted (mg)", min_value=0)
    waste_witness = forms.ModelChoiceField(queryset=None, required=False, label="Witness")

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["waste_witness"].queryset = staff


class AmendForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    vial_lot = forms.CharField(required=False)


ROW_KINDS = [("adverse", "Adverse event"), ("vitals", "Vitals"), ("pump", "Pump event")]


class RowForm(forms.Form):
    """Names one charted row of the session (kind and public id, hidden)."""

    row_kind = forms.ChoiceField(choices=ROW_KINDS, widget=forms.HiddenInput)
    row_id = forms.UUIDField(widget=forms.HiddenInput)


class InErrorForm(RowForm):
    reason = forms.CharField(label="Why is this entry in error?", max_length=500)


class AmendReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the amendment", widget=forms.Textarea(attrs={"rows": 2})
    )


class EditAdverseForm(RowForm, AdverseEventForm):
    """An adverse event edited in place while its session is a draft."""


class EditVitalsForm(RowForm, VitalsForm):
    """A set of vitals edited in place while its session is a draft."""


class AmendAdverseForm(RowForm, AmendReasonForm, AdverseEventForm):
    """A signed session's adverse event corrected by amendment, with its reason."""


class AmendVitalsForm(RowForm, AmendReasonForm, VitalsForm):
    """A signed session's vitals corrected by amendment, with its reason."""


ROW_EDIT_FORMS = {
    ("edit", "adverse"): EditAdverseForm,
    ("edit", "vitals"): EditVitalsForm,
    ("amend", "adverse"): AmendAdverseForm,
    ("amend", "vitals"): AmendVitalsForm,
}


class ClinicSettingsForm(forms.ModelForm):
    class Meta:
        model = ClinicInfusionSettings
        fields = [
            "spo2_min_pct",
            "sbp_max_mmhg",
            "dbp_max_mmhg",
            "hr_max_bpm",
            "hr_min_bpm",
            "moaas_max_alert",
            "contraindication_validity_days",
            "discharge_min_minutes",
        ]
