"""The DRC side (发改委): the daily report (报送) and the officers' pages, an app of its own (label ``drc``,
``apps.DrcConfig``) that imports nothing of the notices around it.

Three things are called "report" in the portal; in code each has its own name:

- the **public credit report** (公共信用报告, ``archives.models.PublicCreditReport``) an enterprise
  or a DRC officer uploads and staff verify; it counts for the rating;
- the **DRC report** (每日报送, ``DrcReport``, this package): the daily full report of commitments,
  archives and events the portal builds for the DRC;
- the **officer's upload** (``commitments.services.officer_credit_report_upload``): a DRC officer
  uploading a public credit report on an enterprise's behalf.

Modules:

- `models`: the DRC report row (the claim of its date) and its push attempts (app label ``drc``;
  the tables kept their names, ``notifications_drcreport…``, when the models moved here);
- `columns`: the column sets of commitments.csv, archives.csv and events.csv, declared once;
- `build`: claiming a date, streaming the rows into the files, publishing the folder atomically;
- `xlsx`: the streaming workbook writer; `bundle`: the report as one zip;
- `push`: uploading a built report to the configured target, attempt by attempt;
- `tasks`: the Celery tasks (their registered names are the historical
  ``notifications.tasks_report.*``, which beat schedules and queued messages hold);
- `selectors`: reads for the officers' pages and API;
- `views` + `urls`: the officers' pages under ``/drc/`` (namespace ``drc``), `moved_urls` their old
  place; `api`: ``/api/drc/``; `metrics`: the report's gauges for ``/metrics``.
"""
