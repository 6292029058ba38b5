"""The ids Slack sends back when someone clicks or submits: action ids of buttons and
datepickers, callback ids of forms (modals). Written once here, because three rooms read
them — the reply that draws the button (commands), the listener that takes the click
(bot.listeners.actions), and the sender that updates posted cards (scheduler) — and a
button whose id the listener does not know does nothing at all.

Ids that were ever posted stay: Slack keeps old messages, and their buttons must work.
"""

from __future__ import annotations

# --- The buttons and the datepicker on a milestone card (value: the milestone id).
ACTION_DONE = "milestone_done"
# A week later (the action id of the first cards, kept so that old cards still work).
ACTION_SNOOZE = "milestone_snooze"
ACTION_SNOOZE_TOMORROW = "milestone_snooze_tomorrow"
# The datepicker: the milestone is named by the row's block id ("milestone-12").
ACTION_SNOOZE_DATE = "milestone_snooze_date"
ACTION_MOVE_FORM = "milestone_move_form"
ACTION_OWNER_FORM = "milestone_owner_form"
# The changes a card's buttons make at once (the others open a form).
CARD_ACTIONS = (ACTION_DONE, ACTION_SNOOZE, ACTION_SNOOZE_TOMORROW, ACTION_SNOOZE_DATE)
MILESTONE_BLOCK = "milestone"

# --- "Agendapunt toevoegen" on a BOSD call and the Home tab (value: the meeting id).
ACTION_AGENDA_FORM = "agenda_item_form"

# --- The Home tab's filter buttons and "Mijn kalender".
ACTION_FILTER = "home_filter"
ACTION_CALENDAR = "home_calendar"

# --- Linking a Slack user to a person: "Ben jij …?" and a coordinator's decision.
ACTION_YES = "link_yes"
ACTION_NO = "link_no"
ACTION_APPROVE = "link_approve"
ACTION_REJECT = "link_reject"

# --- Forms (modals): their callback ids.
FORM_MOVE = "milestone_move"
FORM_OWNER = "milestone_owner"
FORM_AGENDA = "agenda_item_add"
