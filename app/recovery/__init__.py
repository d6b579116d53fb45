"""Abandoned-checkout recovery: pure rules (detection, stages, offers, consent, caps, holdout, attribution,
results) beside the database and mail side (`service`, `sending`, `dispatch`)."""
