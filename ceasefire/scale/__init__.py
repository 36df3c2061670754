"""Beyond one process: a partitioned GeoParquet dataset of the log, evaluated by
the embedded engine or by Apache Spark with the same compliance kernel.

``dataset`` writes and reads the interchange, ``kernel`` turns one Arrow batch
into verdicts or sweep counts (the only code either engine runs), ``embedded``
loops over a dataset in this process and ``spark`` hands the same batches to
Spark's ``mapInArrow`` (``pip install "ceasefire[spark]"``).
"""
