"""Extraction jobs: the objects that cross the VPC boundary to egress, in the jobs bucket.

    jobs/<job id>/document     a copy of the upload's bytes (egress reads only this)
    jobs/<job id>/job.json     the job; its notification starts egress (extraction-jobs queue)
    usage/<job id>.json        egress: model and tokens, written before the result
    results/<job id>.json      egress: the answer; its notification reaches workers (job-events)

A job names no household, pet or file name: egress must not see who the document belongs to.
Workers find the draft again through the job lookup item (pawport.table.job_key).
"""
import json
import re

from chalicelib.workers.objects import Objects

RESULT_KEY = re.compile(r"results/(?P<job_id>[^/]+)\.json")


def document_key(job_id: str) -> str:
    return f"jobs/{job_id}/document"


def job_object_key(job_id: str) -> str:
    return f"jobs/{job_id}/job.json"


def result_key(job_id: str) -> str:
    return f"results/{job_id}.json"


def usage_key(job_id: str) -> str:
    return f"usage/{job_id}.json"


def job_id_of_result(key: str) -> str | None:
    match = RESULT_KEY.fullmatch(key)
    return match["job_id"] if match else None


def job_document(job_id: str, content_type: str) -> dict:
    return {"job_id": job_id, "kind": "extraction", "document_key": document_key(job_id), "content_type": content_type}


def ensure_dispatched(objects: Objects, uploads_bucket: str, upload_key: str, jobs_bucket: str, job_id: str,
                      content_type: str) -> bool:
    """Hand the document to egress unless it already was; True if this call wrote the job.

    Writing job.json starts an extraction (an LLM call), so it is written only while neither it
    nor egress's result exists. The document goes first: egress may start the moment job.json lands.
    """
    if objects.exists(jobs_bucket, job_object_key(job_id)) or objects.exists(jobs_bucket, result_key(job_id)):
        return False
    objects.copy(uploads_bucket, upload_key, jobs_bucket, document_key(job_id))
    objects.put(jobs_bucket, job_object_key(job_id), json.dumps(job_document(job_id, content_type)).encode(),
                "application/json")
    return True
