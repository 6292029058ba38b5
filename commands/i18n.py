"""The bot's words in Dutch (default) and English, and how dates and money are written.

`t(key, lang, **kw)` looks a message up and fills it in; a missing English text falls
back to Dutch (the users are Dutch civil servants, Dutch is always complete) and a
missing key shows the key itself rather than failing a reply.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

log = logging.getLogger(__name__)

MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

CATALOG: dict[str, dict[str, str]] = {
    # Counts of a unit, for `counted` ("1 werkdag", "0 werkdagen", "3 werkdagen").
    "count.working_days": {"nl": "{n} werkdagen", "en": "{n} working days"},
    "count.working_days.one": {"nl": "1 werkdag", "en": "1 working day"},
    "count.days": {"nl": "{n} dagen", "en": "{n} days"},
    "count.days.one": {"nl": "1 dag", "en": "1 day"},
    "count.findings": {"nl": "{n} bevindingen", "en": "{n} findings"},
    "count.findings.one": {"nl": "1 bevinding", "en": "1 finding"},
    # --- general
    "error.unexpected": {
        "nl": "Er ging iets mis bij het beantwoorden. Probeer het nog eens, of vraag `/regio help`.",
        "en": "Something went wrong while answering. Please try again, or ask `/regio help`.",
    },
    "busy": {
        "nl": "Regiobot heeft het even te druk om te antwoorden. Probeer het over een minuut nog eens.",
        "en": "Regiobot is too busy to answer right now. Please try again in a minute.",
    },
    "button.unknown": {
        "nl": "Deze knop hoort niet bij een bekende mijlpaal.",
        "en": "This button does not belong to a known milestone.",
    },
    "render.more": {
        "nl": "… en meer: vraag het specifieker (bijv. per programma of kwartaal).",
        "en": "… and more: ask more specifically (e.g. per programme or quarter).",
    },
    "form.cancel": {"nl": "Annuleren", "en": "Cancel"},
    "unknown": {
        "nl": "Dat begrijp ik niet: _{text}_.",
        "en": "I don't understand that: _{text}_.",
    },
    "unknown.hint": {
        "nl": "Typ `/regio help` voor alle opdrachten, of vraag bijv. "
        "\"wanneer is de volgende BOSD?\" of \"wie is de programmamanager van Gewoon Thuis Jeugd?\"",
        "en": "Type `/regio help` for all commands, or ask e.g. "
        "\"when is the next BOSD?\" or \"who owns Gewoon Thuis Jeugd?\"",
    },
    "did_you_mean": {"nl": "Bedoel je {options}?", "en": "Did you mean {options}?"},
    "or": {"nl": "of", "en": "or"},
    "and": {"nl": "en", "en": "and"},
    "not_found": {
        "nl": "Ik ken geen {what} “{name}”.",
        "en": "I know no {what} “{name}”.",
    },
    "what.programme": {"nl": "programma", "en": "programme"},
    "what.project": {"nl": "project", "en": "project"},
    "what.person": {"nl": "persoon", "en": "person"},
    "what.name": {"nl": "programma, project of persoon", "en": "programme, project or person"},
    "missing_arg": {
        "nl": "Er ontbreekt iets. Gebruik: `{usage}`",
        "en": "Something is missing. Usage: `{usage}`",
    },
    "bad_date": {
        "nl": "“{text}” is geen datum die ik ken. Schrijf bijv. 12 maart, 12-3-2020, 2020-03-12 of morgen.",
        "en": "“{text}” is not a date I understand. Write e.g. 12 March, 12-3-2020, 2020-03-12 or tomorrow.",
    },
    "bad_amount": {
        "nl": "“{text}” is geen bedrag dat ik kan verdelen. Schrijf bijv. 40000, € 40.000,-, 40k of 1,5 miljoen.",
        "en": "“{text}” is not an amount I can split. Write e.g. 40000, € 40.000,-, 40k or 1,5 miljoen.",
    },
    "bad_number": {
        "nl": "“{text}” is geen nummer. Gebruik: `{usage}`",
        "en": "“{text}” is not a number. Usage: `{usage}`",
    },
    "no_data": {
        "nl": "Er is nog geen programma ingelezen. Een beheerder kan `regiobot import` draaien.",
        "en": "No programme has been imported yet. An administrator can run `regiobot import`.",
    },
    "more": {"nl": "… en nog {n}.", "en": "… and {n} more."},
    "refused": {
        "nl": "Dat mag je niet: {why}. Er is niets veranderd.",
        "en": "You may not do that: {why}. Nothing was changed.",
    },
    "refused.milestone": {
        "nl": "alleen beheerders, coördinatoren, de eigenaar van de mijlpaal en de "
        "programmamanager of opdrachtgevers van {programme} mogen deze mijlpaal wijzigen",
        "en": "only admins, coordinators, the milestone's owner and the programme manager "
        "or sponsors of {programme} may change this milestone",
    },
    "refused.coordinator": {
        "nl": "alleen beheerders en coördinatoren mogen dit",
        "en": "only admins and coordinators may do this",
    },
    "refused.hint": {
        "nl": "Nog niet gekoppeld? Vraag een coördinator om `/regio koppel @jij <je naam>`.",
        "en": "Not linked yet? Ask a coordinator for `/regio koppel @you <your name>`.",
    },
    # --- help
    "help.title": {"nl": "Regiobot: wat kan ik?", "en": "Regiobot: what can I do?"},
    "help.intro": {
        "nl": "Typ `/regio <opdracht>`, noem mij in een kanaal of stuur mij een DM. "
        "Vragen in gewone taal mogen ook: \"wanneer is de volgende BOSD?\". "
        "Antwoorden zie je alleen zelf; zet `deel` aan het eind om ze met het kanaal te delen.",
        "en": "Type `/regio <command>`, mention me in a channel or send me a DM. "
        "Plain questions work too: \"when is the next BOSD?\". "
        "Only you see the answers; end with `share` to share them with the channel.",
    },
    "help.may": {"nl": "Wijzigen mogen: {who}.", "en": "Who may change: {who}."},
    "help.may_all": {"nl": "Wijzigen mogen: {groups}.", "en": "Who may change: {groups}."},
    "may.coordinator": {"nl": "beheerders en coördinatoren", "en": "admins and coordinators"},
    "may.milestone": {
        "nl": "beheerders, coördinatoren, de eigenaar van de mijlpaal, de programmamanager en "
        "opdrachtgevers van het programma en de projectleider",
        "en": "admins, coordinators, the milestone's owner, the programme manager and sponsors "
        "of the programme, and the project lead",
    },
    "help.unknown": {
        "nl": "Geen opdracht “{name}”.",
        "en": "No command “{name}”.",
    },
    "help.more": {
        "nl": "Meer over één opdracht: `/regio help <opdracht>`.",
        "en": "More about one command: `/regio help <command>`.",
    },
    # --- programmes
    "programmes.title": {"nl": "Programma's {region}", "en": "Programmes {region}"},
    "programmes.empty": {"nl": "Geen programma's gevonden.", "en": "No programmes found."},
    "programme.kind.project": {"nl": "project", "en": "project"},
    "programme.ambition": {"nl": "Ambitie", "en": "Ambition"},
    "programme.goals": {"nl": "Doelen", "en": "Goals"},
    "programme.projects": {"nl": "Deelprojecten", "en": "Sub-projects"},
    "programme.milestones": {
        "nl": "Mijlpalen: {open} open, {done} gereed, {late} te laat",
        "en": "Milestones: {open} open, {done} done, {late} late",
    },
    "programme.aliases": {"nl": "Ook: {aliases}", "en": "Also: {aliases}"},
    "programme.more": {
        "nl": "Meer: `/regio wie {name}` · `/regio mijlpalen {name}` · `/regio budget {name}`",
        "en": "More: `/regio wie {name}` · `/regio mijlpalen {name}` · `/regio budget {name}`",
    },
    "project.of": {"nl": "Deelproject van {programme}", "en": "Sub-project of {programme}"},
    "project.none": {"nl": "Geen mijlpalen bij dit project.", "en": "No milestones for this project."},
    # --- people
    "who.title": {"nl": "Wie: {name}", "en": "Who: {name}"},
    "who.sponsors": {"nl": "Opdrachtgevers", "en": "Sponsors"},
    "who.team": {"nl": "Team", "en": "Team"},
    "who.partners": {"nl": "Externe partners", "en": "External partners"},
    "who.none": {"nl": "Geen rollen bekend.", "en": "No roles known."},
    "who.focus": {
        "nl": "{kind} van {programme}: *{names}*",
        "en": "{kind} of {programme}: *{names}*",
    },
    "who.focus_none": {
        "nl": "Ik vind geen {kind} bij {programme}.",
        "en": "I find no {kind} for {programme}.",
    },
    "who.person_roles": {"nl": "Rollen", "en": "Roles"},
    "who.person_slack": {"nl": "Slack: <@{user}>", "en": "Slack: <@{user}>"},
    "who.person_unlinked": {
        "nl": "Nog niet aan een Slack-gebruiker gekoppeld.",
        "en": "Not linked to a Slack user yet.",
    },
    "who.coordinator": {"nl": "Coördinator", "en": "Coordinator"},
    "who.milestones": {"nl": "Eigen mijlpalen: {n}", "en": "Own milestones: {n}"},
    # --- milestones
    "milestones.title": {"nl": "Mijlpalen", "en": "Milestones"},
    "milestones.none": {
        "nl": "Geen mijlpalen gevonden{filters}.",
        "en": "No milestones found{filters}.",
    },
    "milestones.count_one": {
        "nl": "1 mijlpaal{filters}",
        "en": "1 milestone{filters}",
    },
    "milestones.count": {
        "nl": "{n} mijlpalen{filters}",
        "en": "{n} milestones{filters}",
    },
    "milestones.late_filter": {"nl": "te laat", "en": "late"},
    "milestones.week_filter": {"nl": "komende week", "en": "coming week"},
    "milestones.mine_filter": {"nl": "van jou", "en": "yours"},
    "milestones.not_linked": {
        "nl": "Je Slack-account is nog niet aan een persoon gekoppeld, dus ik weet niet welke "
        "mijlpalen van jou zijn.",
        "en": "Your Slack account is not linked to a person yet, so I don't know which "
        "milestones are yours.",
    },
    "milestones.footer": {
        "nl": "Afvinken: `/regio mijlpaal <nr> gereed` · verplaatsen: `/regio mijlpaal <nr> verplaats <datum>`",
        "en": "Tick off: `/regio mijlpaal <nr> gereed` · move: `/regio mijlpaal <nr> verplaats <date>`",
    },
    "milestone.unknown": {
        "nl": "Ik ken geen mijlpaal nummer {nr}. Zoek het nummer op met `/regio mijlpalen`.",
        "en": "I know no milestone number {nr}. Look the number up with `/regio mijlpalen`.",
    },
    "milestone.bad_action": {
        "nl": "Wat moet er met mijlpaal {nr} gebeuren? Kies `gereed`, `heropen` of `verplaats <datum>`.",
        "en": "What should happen to milestone {nr}? Choose `gereed`, `heropen` or `verplaats <date>`.",
    },
    "milestone.status.open": {"nl": "open", "en": "open"},
    "milestone.status.done": {"nl": "gereed", "en": "done"},
    "milestone.status.cancelled": {"nl": "vervallen", "en": "cancelled"},
    "milestone.late": {"nl": "te laat", "en": "late"},
    "milestone.due": {"nl": "Deadline", "en": "Due"},
    "milestone.period": {"nl": "Planning", "en": "Timing"},
    "milestone.status": {"nl": "Status", "en": "Status"},
    "milestone.owner": {"nl": "Eigenaar", "en": "Owner"},
    "milestone.programme": {"nl": "Programma", "en": "Programme"},
    "milestone.project": {"nl": "Project", "en": "Project"},
    "milestone.nobody": {"nl": "niet toegewezen", "en": "unassigned"},
    "milestone.done_on": {"nl": "gereed op {date}", "en": "done on {date}"},
    "milestone.button.done": {"nl": "Gereed", "en": "Done"},
    "milestone.marked_done": {
        "nl": "Mijlpaal {nr} is gereed gemeld.",
        "en": "Milestone {nr} is marked done.",
    },
    "milestone.already_done": {
        "nl": "Mijlpaal {nr} was al gereed.",
        "en": "Milestone {nr} was already done.",
    },
    "milestone.reopened": {
        "nl": "Mijlpaal {nr} staat weer open.",
        "en": "Milestone {nr} is open again.",
    },
    "milestone.already_open": {
        "nl": "Mijlpaal {nr} stond al open.",
        "en": "Milestone {nr} was already open.",
    },
    "milestone.moved": {
        "nl": "Mijlpaal {nr} is verplaatst naar {date}.",
        "en": "Milestone {nr} is moved to {date}.",
    },
    "milestone.cancelled_no_change": {
        "nl": "Mijlpaal {nr} is vervallen en kan niet meer veranderen.",
        "en": "Milestone {nr} is cancelled and cannot change any more.",
    },
    "milestone.snooze_done": {
        "nl": "Mijlpaal {nr} is al gereed; uitstellen hoeft niet meer.",
        "en": "Milestone {nr} is already done; no need to postpone.",
    },
    "milestone.move_missing": {
        "nl": "Naar welke datum? Gebruik: `/regio mijlpaal {nr} verplaats <datum>`",
        "en": "To which date? Usage: `/regio mijlpaal {nr} verplaats <date>`",
    },
    # --- budget
    "budget.title": {"nl": "Budget {name}", "en": "Budget {name}"},
    "budget.total": {"nl": "Totaal {year}: *{amount}*", "en": "Total {year}: *{amount}*"},
    "budget.none": {"nl": "Geen begrotingsregels bekend.", "en": "No budget lines known."},
    "budget.no_amount": {"nl": "geen bedrag genoemd", "en": "no amount given"},
    "budget.region": {
        "nl": "Regionaal budget: {text}",
        "en": "Regional budget: {text}",
    },
    "budget.all_total": {
        "nl": "Alle programma's samen, {year}: *{amount}*",
        "en": "All programmes together, {year}: *{amount}*",
    },
    # --- verdeelsleutel
    "split.title": {"nl": "Verdeling van {amount}", "en": "Split of {amount}"},
    "split.programme": {
        "nl": "Begroting {programme} {year}",
        "en": "Budget {programme} {year}",
    },
    "split.line": {
        "nl": "*{name}* ({pct}%): {amount}",
        "en": "*{name}* ({pct}%): {amount}",
    },
    "split.line_source": {"nl": "Begrotingsregel {lines}", "en": "Budget line {lines}"},
    "split.total": {"nl": "Samen: *{amount}*", "en": "Together: *{amount}*"},
    "split.note": {
        "nl": "Naar inwoners ({inhabitants} in totaal), tot op de cent; de delen tellen precies op.",
        "en": "By inhabitants ({inhabitants} in total), to the cent; the shares add up exactly.",
    },
    "split.no_municipalities": {
        "nl": "Er is geen verdeelsleutel (gemeenten met inwoners) ingelezen.",
        "en": "No verdeelsleutel (municipalities with inhabitants) has been imported.",
    },
    "split.no_amount": {
        "nl": "{programme} heeft geen begroot bedrag om te verdelen.",
        "en": "{programme} has no budgeted amount to split.",
    },
    # --- meetings
    "bosd.title": {"nl": "{body} {nr}: {date}", "en": "{body} {nr}: {date}"},
    "bosd.when": {"nl": "{weekday} {date}{time}{location}", "en": "{weekday} {date}{time}{location}"},
    "bosd.agenda": {"nl": "Agenda", "en": "Agenda"},
    "bosd.no_agenda": {
        "nl": "Nog geen agendapunten. Toevoegen: `/regio agenda {nr} toevoegen <titel>`",
        "en": "No agenda items yet. Add one: `/regio agenda {nr} toevoegen <title>`",
    },
    "bosd.none_next": {
        "nl": "Er staat geen BOSD meer gepland na {date}.",
        "en": "No BOSD is planned after {date}.",
    },
    "bosd.none_number": {
        "nl": "Ik ken geen BOSD nummer {nr}.",
        "en": "I know no BOSD number {nr}.",
    },
    "bosd.none_date": {
        "nl": "Er is geen BOSD op {date}.",
        "en": "There is no BOSD on {date}.",
    },
    "bosd.nearest": {
        "nl": "De dichtstbijzijnde is BOSD {nr} op {date}.",
        "en": "The nearest is BOSD {nr} on {date}.",
    },
    "bosd.cancelled": {"nl": "Dit overleg gaat niet door.", "en": "This meeting is cancelled."},
    "bosd.next_summary": {
        "nl": "De volgende BOSD is op {date}.",
        "en": "The next BOSD is on {date}.",
    },
    "bosd.others": {"nl": "Daarna: {dates}", "en": "After that: {dates}"},
    "bosd.bad_arg": {
        "nl": "“{text}” is geen BOSD-nummer, datum of `volgende`.",
        "en": "“{text}” is not a BOSD number, date or `volgende`.",
    },
    "agenda.added": {
        "nl": "Agendapunt {pos} toegevoegd aan BOSD {nr} ({date}): {title}",
        "en": "Agenda item {pos} added to BOSD {nr} ({date}): {title}",
    },
    "agenda.usage": {
        "nl": "Gebruik: `/regio agenda <nr> toevoegen <titel>`",
        "en": "Usage: `/regio agenda <nr> toevoegen <title>`",
    },
    "agenda.cancelled": {
        "nl": "BOSD {nr} gaat niet door; daar voeg ik niets aan toe.",
        "en": "BOSD {nr} is cancelled; I add nothing to it.",
    },
    # --- koppel
    "link.usage": {
        "nl": "Gebruik: `/regio koppel @gebruiker <persoon>`",
        "en": "Usage: `/regio koppel @user <person>`",
    },
    "link.done": {
        "nl": "<@{user}> is nu gekoppeld aan {person}.",
        "en": "<@{user}> is now linked to {person}.",
    },
    "link.same": {
        "nl": "<@{user}> was al gekoppeld aan {person}.",
        "en": "<@{user}> was already linked to {person}.",
    },
    "link.moved": {
        "nl": "(Eerder was <@{user}> gekoppeld aan {previous}.)",
        "en": "(Before, <@{user}> was linked to {previous}.)",
    },
    # --- subscriptions
    "follow.usage": {
        "nl": "Gebruik: `/regio volg <programma | bosd | declaraties>`",
        "en": "Usage: `/regio volg <programme | bosd | declaraties>`",
    },
    "unfollow.usage": {
        "nl": "Gebruik: `/regio ontvolg <programma | bosd | declaraties>`",
        "en": "Usage: `/regio ontvolg <programme | bosd | declaraties>`",
    },
    "follow.no_channel": {
        "nl": "Volgen kan alleen in een Slack-kanaal: typ het daar.",
        "en": "Following works only in a Slack channel: type it there.",
    },
    "follow.done": {
        "nl": "Dit kanaal volgt nu {what}.",
        "en": "This channel now follows {what}.",
    },
    "follow.already": {
        "nl": "Dit kanaal volgde {what} al.",
        "en": "This channel already followed {what}.",
    },
    "unfollow.done": {
        "nl": "Dit kanaal volgt {what} niet meer.",
        "en": "This channel no longer follows {what}.",
    },
    "unfollow.not": {
        "nl": "Dit kanaal volgde {what} niet.",
        "en": "This channel did not follow {what}.",
    },
    "follows.title": {"nl": "Dit kanaal volgt", "en": "This channel follows"},
    "follows.none": {
        "nl": "Dit kanaal volgt nog niets. Begin met `/regio volg bosd`.",
        "en": "This channel follows nothing yet. Start with `/regio volg bosd`.",
    },
    "topic.bosd": {"nl": "de BOSD (agenda's)", "en": "the BOSD (agendas)"},
    "topic.declaraties": {
        "nl": "de declaratiesignalen",
        "en": "the declaration alerts",
    },
    "topic.programme": {"nl": "programma {name}", "en": "programme {name}"},
    # --- home
    "home.title": {"nl": "Regiobot", "en": "Regiobot"},
    "home.hello": {"nl": "Hallo {name}.", "en": "Hello {name}."},
    "home.not_linked": {
        "nl": "Je Slack-account is nog niet aan een persoon uit het programma gekoppeld. "
        "Zeg wie je bent met `/regio ik ben <je naam>`, of vraag een coördinator: "
        "`/regio koppel @jij <je naam>`.",
        "en": "Your Slack account is not linked to a person in the programme yet. "
        "Say who you are with `/regio ik ben <your name>`, or ask a coordinator: "
        "`/regio koppel @you <your name>`.",
    },
    "home.mine": {"nl": "Mijn mijlpalen", "en": "My milestones"},
    "home.mine_none": {"nl": "Geen mijlpalen op jouw naam.", "en": "No milestones in your name."},
    "home.next_bosd": {"nl": "Volgende BOSD", "en": "Next BOSD"},
    "home.late_count": {"nl": "{n} te laat", "en": "{n} late"},
    # --- issue 12: responsible person, reminders, owner, snooze, modals, linking (reminders)
    "resp.label": {"nl": "Verantwoordelijk", "en": "Responsible"},
    "resp.owner": {"nl": "eigenaar", "en": "owner"},
    "resp.projectleider": {"nl": "projectleider", "en": "project leader"},
    "resp.programmamanager": {"nl": "programmamanager", "en": "programme manager"},
    "resp.nobody": {
        "nl": "niemand (geen eigenaar, projectleider of programmamanager)",
        "en": "nobody (no owner, project leader or programme manager)",
    },
    "owner.usage": {
        "nl": "Gebruik: `/regio mijlpaal <nr> eigenaar @gebruiker | <persoon> | geen`",
        "en": "Usage: `/regio mijlpaal <nr> eigenaar @user | <person> | geen`",
    },
    "owner.unknown_user": {
        "nl": "<@{user}> is aan niemand uit het programma gekoppeld; koppel eerst "
        "(`/regio koppel @gebruiker <persoon>`) of noem de persoon bij naam.",
        "en": "<@{user}> is not linked to anyone in the programme; link first "
        "(`/regio koppel @user <person>`) or name the person.",
    },
    "owner.set": {
        "nl": "Mijlpaal #{nr} heeft nu {person} als eigenaar.",
        "en": "Milestone #{nr} is now owned by {person}.",
    },
    "owner.same": {
        "nl": "{person} was al eigenaar van mijlpaal #{nr}.",
        "en": "{person} already owned milestone #{nr}.",
    },
    "owner.cleared": {
        "nl": "Mijlpaal #{nr} heeft geen eigenaar meer; nu is verantwoordelijk: {who}.",
        "en": "Milestone #{nr} has no owner any more; responsible now: {who}.",
    },
    "owner.none_before": {
        "nl": "Mijlpaal #{nr} had geen eigenaar.",
        "en": "Milestone #{nr} had no owner.",
    },
    "reminder.in_days": {
        "nl": "Herinnering: over {n} werkdagen is de deadline",
        "en": "Reminder: due in {n} working days",
    },
    "reminder.in_one_day": {
        "nl": "Herinnering: morgen is de deadline (over 1 werkdag)",
        "en": "Reminder: due in 1 working day",
    },
    "reminder.on_day": {
        "nl": "Herinnering: de deadline is {weekday} {day}",
        "en": "Reminder: due on {weekday} {day}",
    },
    "reminder.late_since": {
        "nl": "Sinds {day} te laat",
        "en": "Late since {day}",
    },
    "snooze.tomorrow": {"nl": "Tot morgen", "en": "Until tomorrow"},
    "snooze.next_week": {"nl": "Tot volgende week", "en": "Until next week"},
    "snooze.pick": {"nl": "Uitstellen tot…", "en": "Postpone until…"},
    "snooze.not_before": {
        "nl": "Kies een datum na vandaag ({today}).",
        "en": "Pick a date after today ({today}).",
    },
    "button.move": {"nl": "Verplaatsen…", "en": "Move…"},
    "button.owner": {"nl": "Eigenaar…", "en": "Owner…"},
    "button.add_item": {"nl": "Agendapunt toevoegen", "en": "Add agenda item"},
    "console.not_person": {
        "nl": "Aan de console koppel je met een naam: `/regio koppel <slack-id of @naam> <persoon>`,"
        " of koppel jezelf met `/regio ik ben <naam>`.",
        "en": "At the console link with a name: `/regio koppel <slack id or @name> <person>`,"
        " or link yourself with `/regio ik ben <name>`.",
    },
    "iam.usage": {
        "nl": "Gebruik: `/regio ik ben <je naam>` — zo weet ik welke mijlpalen van jou zijn.",
        "en": "Usage: `/regio ik ben <your name>` — so I know which milestones are yours.",
    },
    "iam.done": {
        "nl": "Je bent nu gekoppeld aan {person}. Probeer `/regio mijlpalen mijn`.",
        "en": "You are now linked to {person}. Try `/regio mijlpalen mijn`.",
    },
    "iam.same": {
        "nl": "Je was al gekoppeld aan {person}.",
        "en": "You were already linked to {person}.",
    },
    "iam.taken": {
        "nl": "{person} is al gekoppeld aan <@{user}>. Vraag een coördinator als dat niet klopt.",
        "en": "{person} is already linked to <@{user}>. Ask a coordinator if that is wrong.",
    },
    "form.move.title": {"nl": "Mijlpaal verplaatsen", "en": "Move milestone"},
    "form.move.submit": {"nl": "Verplaatsen", "en": "Move"},
    "form.move.due": {"nl": "Nieuwe deadline", "en": "New due date"},
    "form.move.reason": {"nl": "Reden", "en": "Reason"},
    "form.move.reason_hint": {
        "nl": "Komt in het logboek van wijzigingen.",
        "en": "Goes into the log of changes.",
    },
    "form.move.no_date": {"nl": "Kies een datum.", "en": "Pick a date."},
    "form.move.past": {
        "nl": "Kies vandaag ({today}) of later.",
        "en": "Pick today ({today}) or later.",
    },
    "form.owner.title": {"nl": "Eigenaar kiezen", "en": "Choose owner"},
    "form.owner.submit": {"nl": "Opslaan", "en": "Save"},
    "form.owner.who": {"nl": "Eigenaar", "en": "Owner"},
    "form.owner.hint": {
        "nl": "Leeg laten: geen eigenaar, dan is de projectleider of programmamanager "
        "verantwoordelijk.",
        "en": "Leave empty for no owner: the project leader or programme manager answers then.",
    },
    "form.agenda.title": {"nl": "Agendapunt toevoegen", "en": "Add agenda item"},
    "form.agenda.submit": {"nl": "Toevoegen", "en": "Add"},
    "form.agenda.item": {"nl": "Titel", "en": "Title"},
    "form.agenda.kind": {"nl": "Soort", "en": "Kind"},
    "form.agenda.prepared_by": {"nl": "Voorbereid door", "en": "Prepared by"},
    "form.agenda.no_title": {"nl": "Geef het agendapunt een titel.", "en": "Give the item a title."},
    "form.agenda.bad_kind": {"nl": "Kies een soort uit de lijst.", "en": "Pick a kind from the list."},
    "agenda.kind.beslispunt": {"nl": "Beslispunt", "en": "Decision"},
    "agenda.kind.special": {"nl": "Special", "en": "Special"},
    "agenda.kind.ter informatie": {"nl": "Ter informatie", "en": "For information"},
    "form.gone": {
        "nl": "Dit formulier hoort niet (meer) bij iets dat ik ken.",
        "en": "This form no longer belongs to anything I know.",
    },
    "home.filter.open": {"nl": "Open", "en": "Open"},
    "home.filter.late": {"nl": "Te laat", "en": "Late"},
    "home.filter.month": {"nl": "Deze maand", "en": "This month"},
    "home.filter.all": {"nl": "Alles", "en": "All"},
    "home.none.all": {"nl": "Geen mijlpalen op jouw naam.", "en": "No milestones in your name."},
    "home.calendar": {"nl": "Mijn kalender", "en": "My calendar"},
    "home.calendar.title": {"nl": "Mijn kalender", "en": "My calendar"},
    "home.none.open": {"nl": "Geen open mijlpalen op jouw naam.",
                       "en": "No open milestones in your name."},
    "home.none.late": {"nl": "Niets te laat.", "en": "Nothing late."},
    "home.none.month": {"nl": "Deze maand loopt er niets van jou af.",
                        "en": "Nothing of yours is due this month."},
    "week.header": {"nl": "Jouw week (week {week})", "en": "Your week (week {week})"},
    "week.hello": {
        "nl": "Goedemorgen {name}, dit staat er deze week voor je klaar.",
        "en": "Good morning {name}, this is what is up for you this week.",
    },
    "week.due": {"nl": "Deze week de deadline ({n})", "en": "Due this week ({n})"},
    "week.late": {"nl": "Te laat ({n})", "en": "Late ({n})"},
    "week.more": {
        "nl": "… en nog {n}: `/regio mijlpalen mijn` geeft de hele lijst.",
        "en": "… and {n} more: `/regio mijlpalen mijn` gives the whole list.",
    },
    "week.bosd": {"nl": "*Volgende BOSD:* {when}", "en": "*Next BOSD:* {when}"},
    "week.no_bosd": {"nl": "Er staat geen BOSD gepland.", "en": "No BOSD is scheduled."},
    "week.summary": {"nl": "{due} deze week, {late} te laat", "en": "{due} this week, {late} late"},
    "link.offer": {"nl": "Ben jij *{person}*?", "en": "Are you *{person}*?"},
    "link.yes": {"nl": "Ja", "en": "Yes"},
    "link.no": {"nl": "Nee", "en": "No"},
    "link.ambiguous": {
        "nl": "Je Slack-naam past bij meer dan één persoon ({names}). Zeg wie je bent met "
        "`/regio ik ben <je naam>`; een coördinator keurt het goed.",
        "en": "Your Slack name matches more than one person ({names}). Say who you are with "
        "`/regio ik ben <your name>`; a coordinator approves it.",
    },
    "link.held": {
        "nl": "{person} is al aan iemand anders gekoppeld. Vraag een coördinator als dat niet "
        "klopt.",
        "en": "{person} is already linked to someone else. Ask a coordinator if that is wrong.",
    },
    "link.already": {
        "nl": "Je bent al gekoppeld aan {person}. Een coördinator kan dat veranderen "
        "(`/regio koppel`).",
        "en": "You are already linked to {person}. A coordinator can change that "
        "(`/regio koppel`).",
    },
    "link.gone": {"nl": "Die persoon of dat verzoek ken ik niet (meer).",
                  "en": "I do not know that person or request (any more)."},
    "link.declined": {
        "nl": "Goed, dan niet. Zeg wie je bent met `/regio ik ben <je naam>`.",
        "en": "All right. Say who you are with `/regio ik ben <your name>`.",
    },
    "link.nobody_decides": {
        "nl": "Er is geen coördinator of beheerder in Slack om je koppeling goed te keuren. "
        "Vraag een beheerder.",
        "en": "There is no coordinator or admin on Slack to approve your link. Ask an admin.",
    },
    "link.request": {
        "nl": "<@{user}> zegt {person} te zijn. Koppelen?",
        "en": "<@{user}> says they are {person}. Link them?",
    },
    "link.profile": {"nl": "Slack-profiel: {profile}", "en": "Slack profile: {profile}"},
    "link.approve": {"nl": "Goedkeuren", "en": "Approve"},
    "link.reject": {"nl": "Afwijzen", "en": "Reject"},
    "link.decided.approved": {"nl": "Goedgekeurd door <@{user}>.", "en": "Approved by <@{user}>."},
    "link.decided.rejected": {"nl": "Afgewezen door <@{user}>.", "en": "Rejected by <@{user}>."},
    "link.told.approved": {
        "nl": "Je bent gekoppeld aan {person}. Je Home-tab en `/regio mijlpalen mijn` gaan nu "
        "over jou.",
        "en": "You are linked to {person}. Your Home tab and `/regio mijlpalen mijn` are about "
        "you now.",
    },
    "link.told.rejected": {
        "nl": "Je verzoek om gekoppeld te worden aan {person} is afgewezen.",
        "en": "Your request to be linked to {person} was rejected.",
    },
    "iam.asked": {
        "nl": "Je naam in Slack komt niet overeen met {person}: ik heb de coördinatoren gevraagd "
        "de koppeling goed te keuren.",
        "en": "Your Slack name does not match {person}: I asked the coordinators to approve "
        "the link.",
    },
    # --- What the scheduler posts (commands.notices)
    "notice.reminder.due": {"nl": "Vandaag is de deadline", "en": "Due today"},
    "notice.reminder.done": {"nl": "✅ Gereed", "en": "✅ Done"},
    "notice.reminder.cancelled": {"nl": "Vervallen", "en": "Cancelled"},
    "notice.reminder.moved": {
        "nl": "Verplaatst naar {day}: je krijgt een nieuwe herinnering",
        "en": "Moved to {day}: a new reminder will follow",
    },
    "notice.digest.header": {
        "nl": "Te late mijlpalen ({n})",
        "en": "Late milestones ({n})",
    },
    "notice.digest.intro": {
        "nl": "Deze mijlpalen zijn op {day} nog niet gereed:",
        "en": "These milestones are not done as of {day}:",
    },
    "notice.digest.line": {
        "nl": "*{title}*\n{programme} · deadline {day} · {late} te laat",
        "en": "*{title}*\n{programme} · due {day} · {late} late",
    },
    "notice.digest.more": {
        "nl": "… en nog {n}. Vraag `/regio mijlpalen te laat` voor de hele lijst.",
        "en": "… and {n} more. Ask `/regio mijlpalen te laat` for the whole list.",
    },
    "notice.bosd.call.header": {
        "nl": "Oproep: agendapunten voor de BOSD van {day}",
        "en": "Call for agenda items: BOSD of {day}",
    },
    "notice.bosd.call.text": {
        "nl": "Over {days} vergadert het {body}. Lever agendapunten aan vóór "
        "{deadline}, dan komen ze op de agenda die dan wordt gedeeld.",
        "en": "The {body} meets in {days}. Send agenda items before "
        "{deadline}; the agenda is shared then.",
    },
    "notice.bosd.call.so_far": {"nl": "Tot nu toe op de agenda:", "en": "On the agenda so far:"},
    "notice.bosd.call.empty": {"nl": "Nog geen agendapunten.", "en": "No agenda items yet."},
    "notice.bosd.agenda.header": {
        "nl": "Agenda BOSD {number}{day}",
        "en": "Agenda BOSD {number}{day}",
    },
    "notice.bosd.agenda.empty": {
        "nl": "Er staan (nog) geen agendapunten op.",
        "en": "There are no agenda items (yet).",
    },
    "notice.bosd.when": {"nl": "{weekday} {day}{time}{place}", "en": "{weekday} {day}{time}{place}"},
    "notice.bosd.prepared_by": {"nl": "voorbereiding: {who}", "en": "prepared by: {who}"},
    "notice.bosd.cancelled": {
        "nl": "Deze vergadering gaat niet door.",
        "en": "This meeting has been cancelled.",
    },
    "notice.bosd.moved": {
        "nl": "Deze vergadering is verplaatst naar {day}.",
        "en": "This meeting has moved to {day}.",
    },
    "notice.alert.header": {"nl": "Bericht niet bezorgd", "en": "Post not delivered"},
    "notice.alert.text": {
        "nl": "Regiobot kon een bericht aan {target} niet plaatsen: `{error}`. "
        "Het wordt niet opnieuw geprobeerd.",
        "en": "Regiobot could not post a message to {target}: `{error}`. "
        "It will not be retried.",
    },
    "notice.alert.hint": {
        "nl": "Nodig de bot uit in het kanaal (`/invite @Regiobot`) of pas het abonnement aan "
        "met `/regio volg`. Sleutel: {key}",
        "en": "Invite the bot to the channel (`/invite @Regiobot`) or change the subscription "
        "with `/regio volg`. Key: {key}",
    },
    # --- Declarations (commands.declaraties, `regiobot declarations report`)
    "declaraties.title": {"nl": "Declaraties: tijdigheid per aanbieder", "en": "Declarations: timeliness per provider"},
    "declaraties.title.provider": {"nl": "Declaraties: {name}", "en": "Declarations: {name}"},
    "declaraties.period.month": {"nl": "maand {month} (naar vervaldatum), stand {today}", "en": "month {month} (by due date), as of {today}"},
    "declaraties.period.all": {"nl": "alles t/m {today}", "en": "everything up to {today}"},
    "declaraties.period.year": {"nl": "{year} t/m {today}", "en": "{year} up to {today}"},
    "declaraties.none": {"nl": "Nog geen berichten ingelezen.", "en": "No messages imported yet."},
    "declaraties.busy": {
        "nl": "De declaraties worden net bijgewerkt met nieuw ingelezen berichten. Vraag het over een minuut opnieuw.",
        "en": "The declarations are being brought up to date with newly imported messages. Ask again in a minute.",
    },
    "declaraties.unknown": {"nl": "Geen aanbieder gevonden voor _{text}_.", "en": "No provider found for _{text}_."},
    "declaraties.unknown.hint": {"nl": "Bekende aanbieders: {names}", "en": "Known providers: {names}"},
    "declaraties.findings": {"nl": "*Bevindingen* ({n})", "en": "*Findings* ({n})"},
    "declaraties.findings.open": {"nl": "bevindingen {n}", "en": "findings {n}"},
    "declaraties.findings.none": {"nl": "Geen bevindingen: alles op tijd.", "en": "No findings: everything on time."},
    "declaraties.findings.counts": {"nl": "{n}× {rule} — {what}", "en": "{n}× {rule} — {what}"},
    "declaraties.findings.restricted": {
        "nl": "Toewijzingnummers zie je alleen als contractmanager of beheerder.",
        "en": "Only contract managers and admins see assignment numbers.",
    },
    "declaraties.findings.more": {"nl": "… en nog {n}.", "en": "… and {n} more."},
    "declaraties.late": {"nl": "{wd} te laat ({days})", "en": "{wd} late ({days})"},
    "declaraties.missing": {"nl": "ontbreekt, {wd} over de termijn", "en": "missing, {wd} overdue"},
    "declaraties.due": {"nl": "uiterlijk {due}", "en": "due {due}"},
    "declaraties.note.investigating": {"nl": "eerste antwoord (in onderzoek)", "en": "first answer (in onderzoek)"},
    "declaraties.note.final": {"nl": "eindantwoord na in onderzoek", "en": "final answer after in onderzoek"},
    "declaraties.note.retroactive": {"nl": "toewijzing met terugwerkende kracht",
                                     "en": "retroactive assignment"},
    "declaraties.early": {"nl": "{days} te vroeg verstuurd", "en": "sent {days} early"},
    "declaraties.early.due": {"nl": "begindatum {due}", "en": "Begindatum {due}"},
    "declaraties.legend": {
        "nl": "Op tijd: 305 (OP271), 307 (OP272/OP288), antwoord op 315 (OP274), 325 (OP090x4); "
        "afgewezen: declaratieregels met een RetourCode. Geteld naar de maand van de termijn.",
        "en": "On time: 305 (OP271), 307 (OP272/OP288), answer to 315 (OP274), 325 (OP090x4); "
        "rejected: declaration lines with a RetourCode. Counted by the month of the deadline.",
    },
    "declaraties.region": {"nl": "Regio", "en": "Region"},
    "declaraties.digest.title": {"nl": "Declaraties: weekoverzicht t/m {day}", "en": "Declarations: week up to {day}"},
    "declaraties.digest.line": {
        "nl": "*{name}*: {open} bevindingen ({new} nieuw deze week) · {kpis}",
        "en": "*{name}*: {open} findings ({new} new this week) · {kpis}",
    },
    "declaraties.digest.summary": {"nl": "Declaraties: {open} bevindingen bij {providers} aanbieders",
                       "en": "Declarations: {open} open findings at {providers} providers"},
    "declaraties.rejected": {"nl": "afgewezen", "en": "rejected"},
    "declaraties.nothing": {
        "nl": "Geen berichten met een termijn in {month} voor {name}.",
        "en": "No messages with a deadline in {month} for {name}.",
    },
    "declaraties.nothing.ever": {"nl": "Nog geen berichten van of voor {name}.", "en": "No messages from or for {name} yet."},
    # The CLI's KPI table (`regiobot declarations report`).
    "declaraties.table.month": {"nl": "maand", "en": "month"},
    "declaraties.table.provider": {"nl": "aanbieder", "en": "provider"},
    "declaraties.table.on_time": {"nl": "% {kpi} op tijd", "en": "% {kpi} on time"},
    "declaraties.table.rejected": {"nl": "% regels afgewezen", "en": "% lines rejected"},
    "declaraties.table.region": {"nl": "REGIO", "en": "REGION"},
    "declaraties.table.title": {"nl": "Declaraties: KPI's op {day}", "en": "Declarations KPIs as of {day}"},
    "declaraties.table.title_month": {"nl": "Declaraties: KPI's op {day}, maand {month}",
                                      "en": "Declarations KPIs as of {day}, month {month}"},
    "declaraties.table.counted": {
        "nl": "Geteld naar de maand van de termijn; afgewezen regels naar de gedeclareerde maand.",
        "en": "Counted by the month of the deadline; rejected lines by the month declared.",
    },
    "declaraties.table.nothing": {"nl": "(niets te melden)", "en": "(nothing to report)"},
    "declaraties.chart.title": {"nl": "% op tijd per aanbieder (305, 307, 315, 325), stand {today}",
                    "en": "% on time per provider (305, 307, 315, 325), as of {today}"},
    "declaraties.chart.axis": {"nl": "% op tijd", "en": "% on time"},
    "declaraties.chart.month": {"nl": "maand van de termijn", "en": "month of the deadline"},
    "declaraties.chart.file": {"nl": "Grafiek: % op tijd per aanbieder", "en": "Chart: % on time per provider"},
    # --- Calendar feeds (commands.kalender)
    "kalender.who": {
        "nl": "Ik weet niet wie je bent, dus ik kan geen persoonlijke kalender maken.",
        "en": "I don't know who you are, so I can't make a personal calendar.",
    },
    "kalender.not_linked": {
        "nl": "Je Slack-account is nog niet aan een persoon gekoppeld, dus ik weet niet "
        "welke mijlpalen van jou zijn.",
        "en": "Your Slack account isn't linked to a person yet, so I don't know which "
        "milestones are yours.",
    },
    "kalender.not_linked.hint": {
        "nl": "Vraag een coördinator om `/regio koppel @jij <je naam>`.",
        "en": "Ask a coordinator for `/regio koppel @you <your name>`.",
    },
    "kalender.usage": {
        "nl": "Gebruik: `/regio kalender [programma <naam> | mijn | bosd | intrekken]`",
        "en": "Usage: `/regio kalender [programma <name> | mijn | bosd | intrekken]`",
    },
    "kalender.title.region": {
        "nl": "de hele regio (mijlpalen en BOSD)",
        "en": "the whole region (milestones and BOSD)",
    },
    "kalender.title.programme": {
        "nl": "programma {name}",
        "en": "programme {name}",
    },
    "kalender.title.person": {
        "nl": "jouw mijlpalen",
        "en": "your milestones",
    },
    "kalender.title.meetings": {
        "nl": "de BOSD-vergaderingen",
        "en": "the BOSD meetings",
    },
    "kalender.ready": {
        "nl": "Je persoonlijke kalender voor {what}:",
        "en": "Your personal calendar for {what}:",
    },
    "kalender.subscribe": {
        "nl": "*Abonneren:* <{webcal}|open in je agenda-app> · <{google}|toevoegen aan "
        "Google Agenda> · of plak deze URL in Outlook (Agenda toevoegen → Van "
        "internet):\n`{https}`",
        "en": "*Subscribe:* <{webcal}|open in your calendar app> · <{google}|add to Google "
        "Calendar> · or paste this URL in Outlook (Add calendar → From internet):\n"
        "`{https}`",
    },
    "kalender.secret": {
        "nl": "Deze link is persoonlijk: wie hem heeft, kan de kalender lezen. Eerdere links "
        "blijven werken tot je `/regio kalender intrekken` gebruikt.",
        "en": "This link is personal: whoever has it can read the calendar. Earlier links "
        "keep working until you use `/regio kalender intrekken`.",
    },
    "kalender.revoked": {
        "nl": "{n} kalenderlink(s) ingetrokken; ze werken vanaf nu niet meer.",
        "en": "{n} calendar link(s) revoked; they stop working now.",
    },
    "kalender.none": {
        "nl": "Je had geen actieve kalenderlinks.",
        "en": "You had no active calendar links.",
    },
}


# --- Questions (commands.questions, commands.facts, commands.search): the answer first.
CATALOG.update({
    "q.not_known": {
        "nl": "Dat weet ik niet: {what} ken ik niet.",
        "en": "I don't know that: I don't know {what}.",
    },
    "q.not_known.hint": {
        "nl": "Ik ken de programma's, projecten, mijlpalen, mensen, partners, begroting en BOSD's van {region}. Typ `/regio help` of `/regio zoek <woorden>`.",
        "en": "I know the programmes, projects, milestones, people, partners, budget and BOSD meetings of {region}. Type `/regio help` or `/regio zoek <words>`.",
    },
    "q.role.programmamanager": {"nl": "programmamanager", "en": "programme manager"},
    "q.role.programmamanager.plural": {"nl": "programmamanagers", "en": "programme managers"},
    "q.role.opdrachtgever": {"nl": "opdrachtgever", "en": "sponsor"},
    "q.role.opdrachtgever.plural": {"nl": "opdrachtgevers", "en": "sponsors"},
    "q.role.bestuurlijk opdrachtgever": {"nl": "bestuurlijk opdrachtgever", "en": "administrative sponsor (bestuurlijk opdrachtgever)"},
    "q.role.bestuurlijk opdrachtgever.plural": {"nl": "bestuurlijk opdrachtgevers", "en": "administrative sponsors (bestuurlijk opdrachtgevers)"},
    "q.role.ambtelijk opdrachtgever": {"nl": "ambtelijk opdrachtgever", "en": "official sponsor (ambtelijk opdrachtgever)"},
    "q.role.ambtelijk opdrachtgever.plural": {"nl": "ambtelijk opdrachtgevers", "en": "official sponsors (ambtelijk opdrachtgevers)"},
    "q.role.projectleider": {"nl": "projectleider", "en": "project leader"},
    "q.role.projectleider.plural": {"nl": "projectleiders", "en": "project leaders"},
    "q.role.projectsecretaris": {"nl": "projectsecretaris", "en": "project secretary"},
    "q.role.projectsecretaris.plural": {"nl": "projectsecretarissen", "en": "project secretaries"},
    "q.role.beleidsadviseur": {"nl": "beleidsadviseur", "en": "policy adviser"},
    "q.role.beleidsadviseur.plural": {"nl": "beleidsadviseurs", "en": "policy advisers"},
    "q.role.jurist": {"nl": "jurist", "en": "lawyer"},
    "q.role.business analist": {"nl": "business analist", "en": "business analyst"},
    "q.role.analist": {"nl": "analist", "en": "analyst"},
    "q.role.data-analist": {"nl": "data-analist", "en": "data analyst"},
    "q.role.adviseur": {"nl": "adviseur", "en": "adviser"},
    "q.role.adviseur.plural": {"nl": "adviseurs", "en": "advisers"},
    "q.role.financieel specialist": {"nl": "financieel specialist", "en": "financial specialist"},
    "q.role.communicatieadviseur": {"nl": "communicatieadviseur", "en": "communications adviser"},
    "q.role.coordinator": {"nl": "coördinator", "en": "coordinator"},
    "q.role.one": {"nl": "De {role} van {name} is {holders}.", "en": "The {role} of {name} is {holders}."},
    "q.role.many": {"nl": "De {role} van {name} zijn {holders}.", "en": "The {role} of {name} are {holders}."},
    "q.role.none": {
        "nl": "Het plan noemt geen {role} voor {name}.",
        "en": "The plan names no {role} for {name}.",
    },
    "q.role.none.hint": {
        "nl": "Wie er wel bij {name} horen: vraag “wie zitten in het team van {name}?”.",
        "en": "Who is involved in {name}: ask “who is in the team of {name}?”.",
    },
    "q.role.none_project": {
        "nl": "Het plan noemt geen {role} voor {name}; verantwoordelijk is {person}, {label} van {programme}.",
        "en": "The plan names no {role} for {name}; responsible is {person}, {label} of {programme}.",
    },
    "q.role.everywhere": {"nl": "De {role} van de programma's:", "en": "The {role} of the programmes:"},
    "q.label.owner": {"nl": "eigenaar", "en": "owner"},
    "q.responsible": {
        "nl": "Verantwoordelijk voor {name} is {person}, {label}.",
        "en": "Responsible for {name} is {person}, {label}.",
    },
    "q.responsible.none": {
        "nl": "Het plan noemt niemand die verantwoordelijk is voor {name}.",
        "en": "The plan names nobody responsible for {name}.",
    },
    "q.team": {"nl": "Het team van {name}: {names}.", "en": "The team of {name}: {names}."},
    "q.team.none": {"nl": "Het plan noemt geen mensen voor {name}.", "en": "The plan names no people for {name}."},
    "q.person": {"nl": "{person} is {pieces}.", "en": "{person} is {pieces}."},
    "q.person.piece": {"nl": "{label} van {where}{hours}", "en": "{label} of {where}{hours}"},
    "q.person.no_roles": {"nl": "{person} staat in het plan zonder rol.", "en": "{person} is in the plan without a role."},
    "q.person.not_in": {
        "nl": "{person} heeft geen rol bij {name}.",
        "en": "{person} has no role in {name}.",
    },
    "q.hours": {"nl": "{person} werkt {pieces}.", "en": "{person} works {pieces}."},
    "q.hours.piece": {"nl": "{hours} voor {where}, als {label}", "en": "{hours} for {where}, as {label}"},
    "q.hours.none_at_all": {
        "nl": "Het plan noemt geen uren voor {person}.",
        "en": "The plan gives no hours for {person}.",
    },
    "q.hours.none": {"nl": "(geen uren genoemd)", "en": "(no hours given)"},
    "q.partner": {
        "nl": "{name} is externe partner van {programmes}.",
        "en": "{name} is an external partner of {programmes}.",
    },
    "q.partner.no_budget": {
        "nl": "een budget van {name} (een externe partner)",
        "en": "a budget of {name} (an external partner)",
    },
    "q.partners": {
        "nl": "De externe partners van {name} ({n}): {names}.",
        "en": "The external partners of {name} ({n}): {names}.",
    },
    "q.partners.none": {"nl": "Het plan noemt geen externe partners voor {name}.", "en": "The plan names no external partners for {name}."},
    "q.field.dependencies": {"nl": "Afhankelijkheden", "en": "Dependencies"},
    "q.field.local": {"nl": "Lokale opdracht", "en": "Local assignment"},
    "q.field.background": {"nl": "Achtergrond", "en": "Background"},
    "q.field.none": {"nl": "Het plan noemt geen {field} voor {name}.", "en": "The plan gives no {field} for {name}."},
    "q.field.list": {"nl": "{field} van {name} ({n}):", "en": "{field} of {name} ({n}):"},
    "q.field.text": {"nl": "{field} van {name}:", "en": "{field} of {name}:"},
    "q.projects": {"nl": "{name} heeft {n} deelprojecten:", "en": "{name} has {n} sub-projects:"},
    "q.projects.none": {"nl": "Het plan noemt geen deelprojecten voor {name}.", "en": "The plan names no sub-projects for {name}."},
    "q.project.about": {
        "nl": "*{name}* (project van {programme}): {text}",
        "en": "*{name}* (project of {programme}): {text}",
    },
    "q.project.no_description": {
        "nl": "*{name}* is een project van {programme}; het plan geeft er geen omschrijving van.",
        "en": "*{name}* is a project of {programme}; the plan gives no description of it.",
    },
    "q.programme.about": {"nl": "*{name}*: {text}", "en": "*{name}*: {text}"},
    "q.programmes": {"nl": "{region} heeft {n} programma's en projecten:", "en": "{region} has {n} programmes and projects:"},
    "q.due": {"nl": "*{title}* ({where}) moet af {due}{state}.", "en": "*{title}* ({where}) is due {due}{state}."},
    "q.due.on": {"nl": "op {date}", "en": "on {date}"},
    "q.due.by": {"nl": "in {period}: uiterlijk {date}", "en": "in {period}: by {date}"},
    "q.due.done": {"nl": " — en is gereed", "en": " — and is done"},
    "q.due.late": {"nl": " — en is te laat", "en": " — and is late"},
    "q.status.done": {"nl": "gereed", "en": "done"},
    "q.status.open": {"nl": "open", "en": "open"},
    "q.period.week": {"nl": "{start} t/m {end}", "en": "{start} to {end}"},
    "q.period.until": {"nl": "tot en met {end}", "en": "until {end}"},
    "q.period.now": {"nl": "nu lopend ({date})", "en": "running now ({date})"},
    "q.count": {
        "nl": "Er zijn {n} mijlpalen{filters}: {open} open en {done} gereed; {late} te laat.",
        "en": "There are {n} milestones{filters}: {open} open and {done} done; {late} late.",
    },
    "q.count.filtered": {"nl": "Er zijn {n} mijlpalen ({filters}).", "en": "There are {n} milestones ({filters})."},
    "q.meeting.next": {"nl": "De volgende BOSD is {name} op {date}.", "en": "The next BOSD is {name} on {date}."},
    "q.meeting.previous": {"nl": "De vorige BOSD was {name} op {date}.", "en": "The previous BOSD was {name} on {date}."},
    "q.meeting.last": {"nl": "De laatste BOSD van het jaar is {name} op {date}.", "en": "The last BOSD of the year is {name} on {date}."},
    "q.meeting.is": {"nl": "{name} is op {date}.", "en": "{name} is on {date}."},
    "q.meeting.was": {"nl": "{name} was op {date}.", "en": "{name} was on {date}."},
    "q.meeting.several": {"nl": "Er zijn {n} BOSD's:", "en": "There are {n} BOSD meetings:"},
    "q.meeting.time": {"nl": "{name} ({date}) begint om {time}.", "en": "{name} ({date}) starts at {time}."},
    "q.meeting.no_time": {"nl": "Het plan noemt geen tijd voor {name} ({date}).", "en": "The plan gives no time for {name} ({date})."},
    "q.meeting.place": {"nl": "{name} ({date}) is in {place}.", "en": "{name} ({date}) is at {place}."},
    "q.meeting.no_place": {"nl": "Het plan noemt geen plaats voor {name} ({date}).", "en": "The plan gives no place for {name} ({date})."},
    "q.meeting.no_number": {
        "nl": "BOSD {nr} (in {year} zijn er {n})",
        "en": "BOSD {nr} (in {year} there are {n})",
    },
    "q.meeting.none_before": {"nl": "een eerdere BOSD", "en": "an earlier BOSD"},
    "q.meeting.none_in": {"nl": "een BOSD in {period}", "en": "a BOSD in {period}"},
    "q.meeting.then_next": {"nl": "(de eerstvolgende daarna is BOSD {nr} op {date})", "en": "(the next one after that is BOSD {nr} on {date})"},
    "q.meeting.hint": {
        "nl": "Vraag bijv. `wanneer is de volgende BOSD?` of `/regio bosd 3`.",
        "en": "Ask e.g. `when is the next BOSD?` or `/regio bosd 3`.",
    },
    "q.meeting.count": {
        "nl": "Het {body} vergadert in {year} {n} keer: {dates}.",
        "en": "The {body} meets {n} times in {year}: {dates}.",
    },
    "q.agenda": {"nl": "Op de agenda van {name} ({date}) staan {n} punten:", "en": "The agenda of {name} ({date}) has {n} items:"},
    "q.agenda.none": {"nl": "Voor {name} ({date}) staat nog niets op de agenda.", "en": "Nothing is on the agenda of {name} ({date}) yet."},
    "q.budget": {"nl": "{name} heeft {amounts} begroot.", "en": "{name} has {amounts} budgeted."},
    "q.budget.year_piece": {"nl": "{amount} in {year}", "en": "{amount} in {year}"},
    "q.budget.partly": {"nl": "Niet alle begrotingsregels noemen een bedrag.", "en": "Not every budget line gives an amount."},
    "q.budget.none": {"nl": "Het plan noemt geen begroting voor {name}.", "en": "The plan gives no budget for {name}."},
    "q.budget.no_amounts": {
        "nl": "Het plan noemt voor {name} geen bedragen, alleen: {lines}.",
        "en": "The plan gives no amounts for {name}, only: {lines}.",
    },
    "q.budget.year_what": {"nl": "een begroting van {name} voor {year}", "en": "a budget of {name} for {year}"},
    "q.budget.year_region": {"nl": "een begroting voor {year}", "en": "a budget for {year}"},
    "q.budget.project": {
        "nl": "een eigen budget van het project {name} (de begroting staat bij het programma {programme})",
        "en": "a budget of its own for the project {name} (the budget is given for the programme {programme})",
    },
    "q.budget.line_for": {"nl": "een begrotingsregel voor “{name}”", "en": "a budget line for “{name}”"},
    "q.budget.of": {"nl": "een budget van {name}", "en": "a budget of {name}"},
    "q.budget.line": {
        "nl": "*{label}* ({programme}): {amount} in {year} — _{text}_",
        "en": "*{label}* ({programme}): {amount} in {year} — _{text}_",
    },
    "q.budget.region": {"nl": "Het regionale budget van {region} is {amount} per jaar.", "en": "The regional budget of {region} is {amount} a year."},
    "q.budget.programmes": {"nl": "De programma's samen: {amounts}.", "en": "The programmes together: {amounts}."},
    "q.inhabitants": {
        "nl": "{name} heeft {n} inwoners: {pct} van de {total} in de regio.",
        "en": "{name} has {n} inhabitants: {pct} of the region's {total}.",
    },
    "q.inhabitants.region": {
        "nl": "{region} heeft {n} inwoners in {count} gemeenten.",
        "en": "{region} has {n} inhabitants in {count} municipalities.",
    },
    "q.percentage": {
        "nl": "Het aandeel van {name} in de verdeelsleutel is {pct} ({n} van {total} inwoners).",
        "en": "The share of {name} in the verdeelsleutel is {pct} ({n} of {total} inhabitants).",
    },
    "q.key": {
        "nl": "De verdeelsleutel verdeelt kosten naar inwoners ({total} samen): {shares}.",
        "en": "The verdeelsleutel shares costs by inhabitants ({total} in all): {shares}.",
    },
    "q.share": {
        "nl": "Van {amount} betaalt {name} {share} ({pct}).",
        "en": "Of {amount}, {name} pays {share} ({pct}).",
    },
    "q.split.of": {"nl": "Verdeeld: {what}", "en": "Split: {what}"},
    "q.search.found": {"nl": "Dit vond ik over “{words}”:", "en": "This is what I found about “{words}”:"},
    "q.search.of_meeting": {"nl": "van {name} ({date})", "en": "of {name} ({date})"},
    "q.search.none": {"nl": "Ik vond niets over “{words}”.", "en": "I found nothing about “{words}”."},
    "q.search.hint": {
        "nl": "Vraag door met een naam of nummer, bijv. `/regio mijlpaal 12` of `/regio project experttafel`.",
        "en": "Ask on with a name or number, e.g. `/regio mijlpaal 12` or `/regio project experttafel`.",
    },
    "q.kind.programme": {"nl": "programma", "en": "programme"},
    "q.kind.project": {"nl": "project", "en": "project"},
    "q.kind.milestone": {"nl": "mijlpaal", "en": "milestone"},
    "q.kind.person": {"nl": "persoon", "en": "person"},
    "q.kind.partner": {"nl": "externe partner", "en": "external partner"},
    "q.kind.budget_line": {"nl": "begrotingsregel", "en": "budget line"},
    "q.kind.role": {"nl": "rol", "en": "role"},
    "q.kind.meeting": {"nl": "BOSD", "en": "BOSD"},
    "q.kind.agenda_item": {"nl": "agendapunt", "en": "agenda item"},
    "q.field_name.name": {"nl": "naam", "en": "name"},
    "q.field_name.ambition": {"nl": "ambitie", "en": "ambition"},
    "q.field_name.goal": {"nl": "doel", "en": "goal"},
    "q.field_name.dependency": {"nl": "afhankelijkheid", "en": "dependency"},
    "q.field_name.local": {"nl": "lokale opdracht", "en": "local assignment"},
    "q.field_name.background": {"nl": "achtergrond", "en": "background"},
    "q.field_name.description": {"nl": "omschrijving", "en": "description"},
    "q.field_name.budget": {"nl": "begroting", "en": "budget"},
    "q.field_name.partner": {"nl": "partner", "en": "partner"},
    "q.field_name.role": {"nl": "rol", "en": "role"},
    "q.field_name.title": {"nl": "titel", "en": "title"},
    "q.field_name.meeting": {"nl": "overleg", "en": "meeting"},
    "q.field_name.agenda": {"nl": "agendapunt", "en": "agenda item"},
    "q.programme.named": {"nl": "een programma “{name}”", "en": "a programme “{name}”"},
    "q.programme.number": {"nl": "programma {nr}", "en": "programme {nr}"},
    "q.year": {"nl": "gegevens over {year}", "en": "anything about {year}"},
    "q.not_municipality": {"nl": " als gemeente van de regio", "en": " as a municipality of the region"},
    "q.role.of": {"nl": "een {role} van {name}", "en": "a {role} of {name}"},
    "q.partner.yes": {"nl": "Ja: {name} is externe partner van {programme}.", "en": "Yes: {name} is an external partner of {programme}."},
    "q.partner.no": {
        "nl": "Nee: {name} is geen externe partner van {programme}, wel van {others}.",
        "en": "No: {name} is not an external partner of {programme}, but of {others}.",
    },
    "q.hours.municipality": {
        "nl": "{name} levert voor {programme}: {hours}.",
        "en": "{name} provides for {programme}: {hours}.",
    },
    "q.hours.municipality_none": {
        "nl": "Het plan noemt geen uren van {name} voor {programme}.",
        "en": "The plan gives no hours of {name} for {programme}.",
    },
    "q.agenda.item": {
        "nl": "“{title}” staat op de agenda van {name} ({date}).",
        "en": "“{title}” is on the agenda of {name} ({date}).",
    },
    "q.agenda.mentions": {"nl": "“{words}” staat op de agenda van:", "en": "“{words}” is on the agenda of:"},
    "q.agenda.mention": {"nl": "• {name} ({date}): {title}", "en": "• {name} ({date}): {title}"},
    "q.talk.greeting": {
        "nl": "Hoi! Ik ben Regiobot: vraag me naar programma's, mijlpalen, budgetten, mensen en de BOSD.",
        "en": "Hi! I'm Regiobot: ask me about programmes, milestones, budgets, people and the BOSD.",
    },
    "q.talk.thanks": {"nl": "Graag gedaan!", "en": "You're welcome!"},
    "q.talk.bye": {"nl": "Tot ziens!", "en": "Bye!"},
    "q.talk.how_are_you": {"nl": "Goed, dank je! Waarmee kan ik helpen?", "en": "Fine, thanks! How can I help?"},
    "q.talk.who_are_you": {
        "nl": "Ik ben Regiobot, de bot van de regio: ik weet wie wat doet, wat wanneer af moet, wat het kost en wat er op de BOSD-agenda staat.",
        "en": "I'm Regiobot, the region's bot: I know who does what, what is due when, what it costs and what is on the BOSD agenda.",
    },
    "q.talk.hint": {
        "nl": "Vraag bijv. “wanneer is de volgende BOSD?” of typ `/regio help`.",
        "en": "Ask e.g. “when is the next BOSD?” or type `/regio help`.",
    },
})

# Placeholders like "<datum>" in the texts above would be read by Slack as links:
# escape them once here ("<@U…>" mentions stay). `unescape` undoes it for plain text.
_PLACEHOLDER = re.compile(r"<(?![@#!])([^<>|@]*)>")
for _entry in CATALOG.values():
    for _lang, _text in _entry.items():
        _entry[_lang] = _PLACEHOLDER.sub(r"&lt;\1&gt;", _text)


# The usage line of each subcommand in `/regio help`. The Dutch is its handler's
# docstring's first line, its help text (tests/commands/test_catalogue.py keeps them equal).
CATALOG.update({
    "usage.agenda": {
        "nl": '`/regio agenda <nr> [toevoegen <titel>]` — de agenda van BOSD <nr>; een punt toevoegen.',
        "en": '`/regio agenda <nr> [toevoegen <titel>]` — the agenda of BOSD <nr>; add an item.',
    },
    "usage.bosd": {
        "nl": '`/regio bosd [volgende | <nr> | <datum>]` — de (volgende) BOSD met agenda.',
        "en": '`/regio bosd [volgende | <nr> | <datum>]` — the (next) BOSD with its agenda.',
    },
    "usage.budget": {
        "nl": '`/regio budget [programma]` — begrotingsregels zoals geschreven, bedragen en totalen per jaar.',
        "en": '`/regio budget [programma]` — budget lines as written, amounts and totals per year.',
    },
    "usage.declaraties": {
        "nl": '`/regio declaraties [aanbieder] [maand]` — tijdigheid van start-, stop- en declaratieberichten (iJw) per aanbieder.',
        "en": '`/regio declaraties [aanbieder] [maand]` — timeliness of start, stop and declaration messages (iJw) per care provider.',
    },
    "usage.help": {
        "nl": '`/regio help [opdracht]` — wat ik kan, of alles over één opdracht.',
        "en": '`/regio help [opdracht]` — what I can do, or all about one command.',
    },
    "usage.ik": {
        "nl": '`/regio ik ben <naam>` — zeg wie je bent, zodat `mijn`, de Home-tab en de herinneringen over jou gaan.',
        "en": '`/regio ik ben <naam>` — say who you are, so that `mijn`, the Home tab and the reminders are about you.',
    },
    "usage.kalender": {
        "nl": '`/regio kalender [programma <naam> | mijn | bosd | intrekken]` — een persoonlijke agenda-link, of al je links intrekken.',
        "en": '`/regio kalender [programma <naam> | mijn | bosd | intrekken]` — a personal calendar link, or revoke all your links.',
    },
    "usage.koppel": {
        "nl": '`/regio koppel @gebruiker <persoon>` — koppel een Slack-gebruiker aan een persoon uit het programma.',
        "en": '`/regio koppel @gebruiker <persoon>` — link a Slack user to a person of the programme.',
    },
    "usage.mijlpaal": {
        "nl": '`/regio mijlpaal <nr> [gereed | heropen | verplaats <datum> | eigenaar @gebruiker]` — één mijlpaal bekijken of wijzigen.',
        "en": '`/regio mijlpaal <nr> [gereed | heropen | verplaats <datum> | eigenaar @gebruiker]` — see or change one milestone.',
    },
    "usage.mijlpalen": {
        "nl": '`/regio mijlpalen [programma] [K1–K4 | <maand> | week | te laat | mijn]` — mijlpalen met nummer, planning en status.',
        "en": '`/regio mijlpalen [programma] [K1–K4 | <maand> | week | te laat | mijn]` — milestones with their number, timing and status.',
    },
    "usage.ontvolg": {
        "nl": '`/regio ontvolg <programma | bosd | declaraties>` — dit kanaal volgt het niet meer.',
        "en": '`/regio ontvolg <programma | bosd | declaraties>` — this channel stops following it.',
    },
    "usage.programma": {
        "nl": "`/regio programma [naam]` — alle programma's, of één programma: ambitie, doelen, deelprojecten.",
        "en": '`/regio programma [naam]` — all programmes, or one programme: ambition, goals, sub-projects.',
    },
    "usage.project": {
        "nl": '`/regio project <naam>` — een deelproject: omschrijving, team en mijlpalen.',
        "en": '`/regio project <naam>` — a sub-project: description, team and milestones.',
    },
    "usage.verdeel": {
        "nl": '`/regio verdeel <bedrag | programma>` — verdeel een bedrag over de gemeenten naar inwoners, tot op de cent.',
        "en": '`/regio verdeel <bedrag | programma>` — split an amount over the municipalities by population, to the cent.',
    },
    "usage.volg": {
        "nl": '`/regio volg <programma | bosd | declaraties>` — laat dit kanaal een programma, de BOSD of de declaratiesignalen volgen.',
        "en": '`/regio volg <programma | bosd | declaraties>` — this channel follows a programme, the BOSD or the declaration alerts.',
    },
    "usage.volgt": {
        "nl": '`/regio volgt` — wat dit kanaal volgt.',
        "en": '`/regio volgt` — what this channel follows.',
    },
    "usage.wie": {
        "nl": '`/regio wie <programma | project | persoon>` — opdrachtgevers, team met uren en partners; of alle rollen van een persoon.',
        "en": '`/regio wie <programma | project | persoon>` — commissioners, the team with hours and partners; or all roles of a person.',
    },
    "usage.zoek": {
        "nl": "`/regio zoek <woorden>` — zoek in alles wat ik weet: mijlpalen, projecten, doelen, partners, begroting, agenda's en mensen.",
        "en": '`/regio zoek <woorden>` — search everything I know: milestones, projects, goals, partners, budget, agendas and people.',
    },
})


def t(key: str, lang: str = "nl", /, **kw: object) -> str:
    """The message `key` in `lang` (falling back to Dutch), filled in with `kw` — which
    may have blanks named `key` or `lang` too (the delivery alert has `{key}`)."""
    entry = CATALOG.get(key)
    if entry is None:
        log.warning("missing message %r", key)
        return key
    template = entry.get(lang) or entry["nl"]
    try:
        return template.format(**kw)
    except (KeyError, IndexError, ValueError):
        log.warning("message %r cannot be filled with %r", key, sorted(kw))
        return template


def counted(unit: str, n: int, lang: str = "nl") -> str:
    """`n` of a unit ("count.days", …), with the singular for one."""
    return t(f"{unit}.one", lang) if n == 1 else t(unit, lang, n=n)


def format_date(day: date, lang: str = "nl") -> str:
    """'12 maart 2020' / '12 March 2020'."""
    months = MONTHS_EN if lang == "en" else MONTHS_NL
    return f"{day.day} {months[day.month - 1]} {day.year}"


def weekday_name(day: date, lang: str = "nl") -> str:
    return (WEEKDAYS_EN if lang == "en" else WEEKDAYS_NL)[day.weekday()]


def month_name(month: int, lang: str = "nl") -> str:
    return (MONTHS_EN if lang == "en" else MONTHS_NL)[month - 1]


CENT = Decimal("0.01")


def format_money(amount: Decimal, lang: str = "nl") -> str:
    """'€ 40.000,00' in Dutch, '€40,000.00' in English; never via float."""
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    if lang == "en":
        return f"{sign}€{','.join(groups)}.{cents}"
    return f"{sign}€ {'.'.join(groups)},{cents}"


def join_words(items: list[str], lang: str = "nl", *, last: str = "and") -> str:
    """'a, b en c' — the word before the last item from the catalog ('en' / 'of')."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {t(last, lang)} {items[-1]}"


def escape(text: str) -> str:
    """Escape user text for Slack mrkdwn so it cannot form links or mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Plain text for the console and `regiobot ask`: undo `escape`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
