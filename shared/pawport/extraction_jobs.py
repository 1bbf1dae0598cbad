"""Extraction jobs: workers invoke egress's `extract` function synchronously with the job and
settle the draft from its answer (pawport.contracts). Nothing of it crosses through S3 but the
job's LLM use, which workers keep in the jobs bucket for the monthly reconciliation:

    usage/<job id>.json        model and tokens, written before the draft is settled (kept 35 days)
"""
USAGE_PREFIX = "usage/"


def usage_key(job_id: str) -> str:
    return f"{USAGE_PREFIX}{job_id}.json"
