# Importing the Celery app here binds @shared_task to it and gives tasks delay_on_commit.
from config.celery import app as celery_app

__all__ = ("celery_app",)
