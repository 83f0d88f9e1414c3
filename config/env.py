"""The one environment reader every settings module imports."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is read when present; real deployments set the environment instead.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
