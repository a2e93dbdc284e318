"""The tasks of the queue (django.tasks): long work out of the web request. The management commands call the same
functions directly."""

from django.tasks import task


@task
def build_export(job_id: int) -> str:
    from documents.jobs import run_export

    return run_export(job_id)
