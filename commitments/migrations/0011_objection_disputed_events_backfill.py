"""Every existing objection disputes its event: one row each in ``disputed_events``, written set-based
(a single INSERT … SELECT, whatever the number of objections), so the event stays 异议中 while open."""

from django.db import migrations

FORWARD = """
INSERT INTO commitments_objection_disputed_events (objection_id, creditevent_id)
SELECT o.id, o.event_id FROM commitments_objection o
WHERE o.event_id IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM commitments_objection_disputed_events d WHERE d.objection_id = o.id AND d.creditevent_id = o.event_id
  )
"""

BACKWARD = "DELETE FROM commitments_objection_disputed_events"


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0010_objection_subjects_and_paper_letters"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
