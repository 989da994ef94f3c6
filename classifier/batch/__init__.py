"""Prediction over record streams: in this process, a local process pool or a Dask cluster,
and ``run_batch`` (records in, a resumable output file out)."""

from ._chunks import default_jobs
from ._dask import predict_dask
from ._local import predict_records
from ._run import PARTIAL_SUFFIX, Summary, progress, run_batch

__all__ = ["PARTIAL_SUFFIX", "Summary", "default_jobs", "predict_dask", "predict_records", "progress", "run_batch"]
