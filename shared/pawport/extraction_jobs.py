"""Extraction jobs: the objects that cross the VPC boundary between workers and egress, in the
jobs bucket. One layout, used by both sides.

    jobs/<job id>/document     a copy of the upload's bytes (egress reads only this)
    jobs/<job id>/job.json     the job; its notification starts egress (extraction-jobs queue)
    usage/<job id>.json        egress: model and tokens, written before the result
    results/<job id>.json      egress: the answer; its notification reaches workers (job-events)

A job names no household, pet or file name: egress must not see who the document belongs to.
"""
import re

RESULT_KEY = re.compile(r"results/(?P<job_id>[^/]+)\.json")


def document_key(job_id: str) -> str:
    return f"jobs/{job_id}/document"


def job_object_key(job_id: str) -> str:
    return f"jobs/{job_id}/job.json"


def result_key(job_id: str) -> str:
    return f"results/{job_id}.json"


USAGE_PREFIX = "usage/"


def usage_key(job_id: str) -> str:
    return f"{USAGE_PREFIX}{job_id}.json"


def job_id_of_result(key: str) -> str | None:
    match = RESULT_KEY.fullmatch(key)
    return match["job_id"] if match else None
