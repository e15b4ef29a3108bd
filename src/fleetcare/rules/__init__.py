"""fleetcare's programme rules: pure Python, no Django (SPEC.md rule ids R-...).

Modules: :mod:`.money` (R-MON-1), :mod:`.calendars` (R-CAL-1), :mod:`.enterprise`
(R-PE-2..7), :mod:`.daas` (R-DS-1..5, 7), :mod:`.replacement` (R-RMA-2..4),
:mod:`.service_levels` (R-SUP-2), :mod:`.coverage` (R-FLT-3, R-CAT-2, R-CAT-3,
R-DS-3) and :mod:`.programmes` (the settings files).
"""
