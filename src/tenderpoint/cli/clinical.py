"""Commands of the clinical core (`tenderpoint score`)."""
