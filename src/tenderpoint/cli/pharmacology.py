"""Commands of the pharmacology core (`tenderpoint models`, `simulate`, `tci`)."""
