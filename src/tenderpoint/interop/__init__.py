"""Exchange formats: FHIR R4 (through fhir.resources' R4B models) and CSV."""
