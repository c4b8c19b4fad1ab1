"""Recurring background tasks: each run queues the next, and a chain is started only when no run is waiting."""

from django_tasks_db.models import DBTaskResult


def queue_unless_waiting(task, run_after):
    """Queue `task` to run after `run_after` unless a run of it is waiting already; True if it queued one."""
    if DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists():
        return False
    task.using(run_after=run_after).enqueue()
    return True
