"""A periodic job for the lock tests: records when it ran, in which process.

The processes the tests start import this module, wait for $FLEETCARE_PROBE_START_AT
(so they start together) and then run ``fleetcare jobs run``. The job, named to sort
first, writes ``start <pid> <t>`` and ``end <pid> <t>`` to $FLEETCARE_PROBE_FILE.
"""

import os
import sys
import time

from fleetcare.core.jobs import periodic_job


@periodic_job("_test.probe")
def probe(now):
    path = os.environ["FLEETCARE_PROBE_FILE"]
    with open(path, "a") as out:
        out.write(f"start {os.getpid()} {time.time()}\n")
    time.sleep(float(os.environ.get("FLEETCARE_PROBE_SECONDS", "2")))
    with open(path, "a") as out:
        out.write(f"end {os.getpid()} {time.time()}\n")
    return {"pid": os.getpid()}


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleetcare.config.settings")
    django.setup()
    time.sleep(max(0.0, float(os.environ.get("FLEETCARE_PROBE_START_AT", "0")) - time.time()))
    from fleetcare.cli import main

    main(["fleetcare", "jobs", "run", *sys.argv[1:]])
