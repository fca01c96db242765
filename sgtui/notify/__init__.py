"""Alerts when a scheduled export fails, and when it recovers: by webhook and by mail.

Layer: below the app (``tui``) and the commands, above ``workspace``; it imports only the
workspace layer, the standard library and httpx (never Textual, never the engine), so the
CLI, cron and the app all call the same code after a run:

- :mod:`sgtui.notify.decide`: pure functions: which change of an export's state alerts.
- :mod:`sgtui.notify.message`: the alert's one line and its details (never profile data or
  a key).
- :mod:`sgtui.notify.ledger`: the last alerted state per export and target, and every alert
  sent, in the workspace's state database.
- :mod:`sgtui.notify.webhook`, :mod:`sgtui.notify.mail`: delivery, with bounded retries.
- :mod:`sgtui.notify.service`: what the commands and the app call; it never raises, so an
  alert can never change a run's outcome or exit code.
"""
