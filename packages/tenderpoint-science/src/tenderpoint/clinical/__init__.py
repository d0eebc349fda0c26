"""tenderpoint.clinical: fibromyalgia criteria and patient-reported instruments.

Standard library only. Score any instrument with :func:`score`, evaluate every criterion from one
assessment with :func:`evaluate_fibromyalgia`, list definitions with :func:`instruments`, and
build FHIR Questionnaires with :func:`fhir_questionnaire`. :mod:`tenderpoint.clinical.body` is the
one body-map vocabulary. The specification is ``shared/reference/clinical.md``; docs/clinical.md
records the decisions taken where it is silent.
"""

from tenderpoint.clinical import body
from tenderpoint.clinical.definition import AnswerOption, Instrument, Item, Licence
from tenderpoint.clinical.evaluate import FibromyalgiaEvaluation, evaluate_fibromyalgia
from tenderpoint.clinical.fhir import fhir_code_system, fhir_questionnaire
from tenderpoint.clinical.registry import answers_from_form, get_instrument, instruments, score
from tenderpoint.clinical.result import ScoreResult
from tenderpoint.clinical.wording import ItemWording, load_wording, parse_wording

__all__ = [
    "AnswerOption",
    "FibromyalgiaEvaluation",
    "Instrument",
    "Item",
    "ItemWording",
    "Licence",
    "ScoreResult",
    "answers_from_form",
    "body",
    "evaluate_fibromyalgia",
    "fhir_code_system",
    "fhir_questionnaire",
    "get_instrument",
    "instruments",
    "load_wording",
    "parse_wording",
    "score",
]
