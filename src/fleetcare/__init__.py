"""fleetcare: support programmes for whole fleets of devices."""

__version__ = "0.1.0"
