"""The one FHIR R4 mapping of tenderpoint data: pure functions from plain dicts to FHIR JSON.

No Django here: the web layer turns its records into the plain dicts documented on each
function. Resources validate under ``fhir.resources.R4B`` (the tests check it). One module per
resource family keeps the mapping in one place and merges clean.
"""
