"""One module per instrument or criterion set; each defines ``INSTRUMENT`` and its scorer.

The registry (:mod:`tenderpoint.clinical.registry`) imports every public module of this package,
so adding an instrument is one file here plus its tests and vectors. Modules whose name starts
with an underscore hold shared definitions and are not instruments.
"""
