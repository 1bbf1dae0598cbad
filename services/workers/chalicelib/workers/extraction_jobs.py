"""Dispatching extraction jobs to egress (the key layout: pawport.extraction_jobs).

Workers find the draft again through the job lookup item (pawport.table.job_key).
"""
import json

from pawport.extraction_jobs import document_key, job_object_key, result_key

from chalicelib.workers.objects import Objects

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
