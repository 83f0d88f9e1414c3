"""Run work on untrusted input in a child process, within a time and a memory budget.

For the public pages that check what anyone uploads (the verification page checks PDFs): a parser's time
and memory may grow with what a hostile file declares, and a web worker stuck in it is a worker lost. The
work runs in a forked child; its address space may grow by `memory_bytes` beyond what the parent already
holds (RLIMIT_AS), and its CPU time is capped too (RLIMIT_CPU, so that a child whose parent was killed
still ends). The parent waits at most `seconds` of wall-clock time for the answer, then kills the child.

Fork, not spawn or forkserver: the child starts at once with everything imported (a few milliseconds),
and the arguments are neither copied nor pickled; only the small result comes back through a pipe.

The child must not use the database: its connections are the parent's sockets, and a query or a close
from the child would break the parent's session. Every query in the child fails, and the child ends with
os._exit (multiprocessing's fork start), so no connection is closed on the way out. Read the database in
the parent, before or after.
"""

import math
import multiprocessing
import os
import resource

from django.db import connections

_CHILD_EXIT_WAIT_SECONDS = 1.0  # for a child that answered to finish exiting before it is killed


class BudgetExceeded(Exception):
    """The work took longer or needed more memory than its budget, or its process died; it was stopped."""


def run_within_budget(function, /, *args, seconds: float, memory_bytes: int):
    """`function(*args)` in a child process: what it returns (picklable), or BudgetExceeded.

    An exception raised by `function` is raised here again.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_run, args=(sender, function, args, seconds, memory_bytes), name="budgeted-work"
    )
    try:
        child.start()
    except OSError as error:  # no process to be had (the machine's limit): an answer, not a server error
        receiver.close()
        raise BudgetExceeded(f"the process could not start: {error}") from error
    finally:
        sender.close()  # the child holds the only writing end now: the pipe ends when the child does
    try:
        if not receiver.poll(seconds):
            child.kill()
            child.join()
            raise BudgetExceeded(f"no answer within {seconds:g} s")
        try:
            kind, value = receiver.recv()
        except EOFError:
            child.join(_CHILD_EXIT_WAIT_SECONDS)
            raise BudgetExceeded(f"the process died (exit code {child.exitcode})") from None
    finally:
        receiver.close()
        if child.is_alive():
            # It answered: nothing more is wanted of it. Its exit (tearing down its copy of this process's
            # address space, tens of milliseconds for a large process) is not waited for: multiprocessing
            # reaps it when the next child starts.
            child.kill()
    if kind == "memory":
        raise BudgetExceeded(f"more than {memory_bytes // (1024 * 1024)} MB of memory")
    if kind == "error":
        raise value
    return value


def _child_run(sender, function, args, seconds: float, memory_bytes: int) -> None:
    _database_refuse()
    in_use = _address_space_in_use()
    if in_use is not None:  # Linux; elsewhere only the wall clock bounds the work
        _limit_lower(resource.RLIMIT_AS, soft=in_use + memory_bytes, hard=in_use + memory_bytes)
    _limit_lower(resource.RLIMIT_CPU, soft=math.ceil(seconds) + 1, hard=math.ceil(seconds) + 2)
    try:
        answer = ("value", function(*args))
    except MemoryError:
        answer = ("memory", None)
    except Exception as error:
        answer = ("error", error)
    try:
        sender.send(answer)
    except Exception as error:  # an answer that cannot be pickled
        sender.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        sender.close()


def _database_refuse() -> None:
    def refuse(execute, sql, params, many, context):
        raise RuntimeError("The database is not used in a budgeted child process.")

    for connection in connections.all():
        connection.execute_wrappers.append(refuse)


def _address_space_in_use() -> int | None:
    """The process's virtual size: the child's memory budget is counted above it (a forked child starts
    with all of its parent's mappings, libraries and fonts included). None where /proc is missing."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_lower(kind: int, *, soft: int, hard: int) -> None:
    """Lower a resource limit of this process to (soft, hard); a limit already lower stays."""
    current_soft, current_hard = resource.getrlimit(kind)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    if current_soft != resource.RLIM_INFINITY:
        soft = min(soft, current_soft)
    resource.setrlimit(kind, (min(soft, hard), hard))
