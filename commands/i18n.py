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
    # --- general
    "error.unexpected": {
        "nl": "Er ging iets mis bij het beantwoorden. Probeer het nog eens, of vraag `/regio help`.",
        "en": "Something went wrong while answering. Please try again, or ask `/regio help`.",
    },
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
    "milestone.button.snooze": {"nl": "Een week uitstellen", "en": "Postpone a week"},
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
}


# Placeholders like "<datum>" in the texts above would be read by Slack as links:
# escape them once here ("<@U…>" mentions stay). `unescape` undoes it for plain text.
_PLACEHOLDER = re.compile(r"<(?![@#!])([^<>|@]*)>")
for _entry in CATALOG.values():
    for _lang, _text in _entry.items():
        _entry[_lang] = _PLACEHOLDER.sub(r"&lt;\1&gt;", _text)


def t(key: str, lang: str = "nl", **kw: object) -> str:
    """The message `key` in `lang` (falling back to Dutch), filled in with `kw`."""
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
