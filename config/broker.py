"""Celery's broker transport options: on one machine the filesystem broker's folders; on Redis, how long
a message waits for its worker's acknowledgement before another worker gets it."""

from pathlib import Path

# Tasks are acknowledged when they end (acks_late), so this must exceed the longest task's time limit (a
# batch print: one hour), or a long task would run twice. Work lost in between is queued again by
# core.requeue within minutes, whatever this says.
REDIS_VISIBILITY_TIMEOUT_SECONDS = 75 * 60


def broker_transport_options(broker_url: str, *, var_dir: Path) -> dict:
    """The options for `broker_url` (CELERY_BROKER_TRANSPORT_OPTIONS); the filesystem's folders are made."""
    if broker_url == "filesystem://":
        broker_dir = var_dir / "celery" / "broker"
        broker_dir.mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(broker_dir),
            "data_folder_out": str(broker_dir),
            "processed_folder": str(broker_dir),
            "store_processed": False,
            "control_folder": str(broker_dir.parent / "control"),
        }
    if broker_url.startswith(("redis://", "rediss://")):
        return {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT_SECONDS}
    return {}
