"""What other apps may hear of an event, without the events app knowing them: a
部件 follows the state of its damage report (things/apps.py connects)."""

from django.dispatch import Signal

# Sent inside the transition's transaction, after its step is recorded, with
# event, action, actor and inputs (the step's inputs, as read).
event_moved = Signal()
