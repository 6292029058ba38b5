"""Support for the handler tests. A small hand-written region for the handler tests: two programmes with projects,
milestones and budget lines, the BOSD with meetings, five municipalities, and a few
named people — Anke (programme manager), Corine and Rik (sponsors), Manon (another
programme's manager), Carla (a coordinator) and Bob (on no team at all)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from commands.core import Context, Reply, answer_safely
from commands.dispatch import handle
from storage.apply import apply_store_data
from storage.importers import ImportReport
from storage.models import Milestone, Person
from storage.schema import StoreData

NOW = datetime(2020, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2020, 3, 1)

ADMIN = "UADMIN1"
ANKE = "UANKE01"
CORINE = "UCORINE"
MANON = "UMANON1"
CARLA = "UCARLA1"
BOB = "UBOB001"

REGION = {
    "version": 1,
    "people": [
        {"name": "Anke van der Landen", "slack_user_id": ANKE},
        {"name": "Corine Dijkstra", "slack_user_id": CORINE},
        {"name": "Rik Scheele"},
        {"name": "Corline Bijkerk"},
        {"name": "Manon Brugman", "slack_user_id": MANON},
        {"name": "Carla Coördinator", "slack_user_id": CARLA, "is_coordinator": True},
        {"name": "Bob Buitenstaander", "slack_user_id": BOB},
    ],
    "regions": [
        {
            "slug": "midden-holland",
            "name": "Midden-Holland",
            "year": 2020,
            "budget_amount": "40000.00",
            "budget_text": "€40.000,-",
            "municipalities": [
                {"name": "Bodegraven-Reeuwijk", "inhabitants": 33451},
                {"name": "Gouda", "inhabitants": 71189},
                {"name": "Krimpenerwaard", "inhabitants": 54653},
                {"name": "Waddinxveen", "inhabitants": 26072},
                {"name": "Zuidplas", "inhabitants": 40937},
            ],
            "programmes": [
                {
                    "slug": "gewoon-thuis-jeugd",
                    "number": 2,
                    "name": "Gewoon Thuis Jeugd",
                    "aliases": ["GHNT-jeugd", "GTJ"],
                    "ambition": "Zoveel mogelijk kinderen in de (t)huissituatie.",
                    "goals": ["Minder residentieel verblijf", "Meer gezinsgericht verblijf"],
                    "partners": ["Enver", "Youz"],
                    "roles": [
                        {"kind": "bestuurlijk opdrachtgever", "label": "Bestuurlijk",
                         "holder": "Corine Dijkstra", "person": "Corine Dijkstra"},
                        {"kind": "ambtelijk opdrachtgever", "label": "Ambtelijk",
                         "holder": "Rik Scheele", "person": "Rik Scheele"},
                        {"kind": "programmamanager", "label": "Programmamanager",
                         "holder": "Anke van der Landen", "person": "Anke van der Landen",
                         "hours_text": "16 uur", "hours": "16"},
                        {"kind": "projectsecretaris", "label": "Projectsecretaris",
                         "holder": "Corline Bijkerk", "person": "Corline Bijkerk",
                         "hours_text": "16 uur", "hours": "16"},
                        {"kind": "beleidsadviseur", "label": "Beleidsadviseurs/projectleiders",
                         "hours_text": "64 uur", "hours": "64"},
                    ],
                    "projects": [
                        {"slug": "experttafel", "number": 2, "name": "Experttafel",
                         "description": "Een expertteam met mandaat."},
                        {"slug": "versterking-pleegzorg", "number": 4,
                         "name": "Versterking Pleegzorg"},
                    ],
                    "milestones": [
                        {"key": "ambulant-k1", "title": "Start nieuwe vormen van ambulante "
                         "intensieve ondersteuning", "due_date": "2020-03-31",
                         "period_start": "2020-01-01", "period_label": "K1"},
                        {"key": "wachtlijst-k3", "title": "Start wachtlijstbeheer",
                         "due_date": "2020-09-30", "period_start": "2020-07-01",
                         "period_label": "K3"},
                        {"key": "werving-k2", "title": "Wervingsactie pleegzorg",
                         "due_date": "2020-06-30", "period_label": "K2",
                         "project": "versterking-pleegzorg"},
                        {"key": "evaluatie", "title": "Evaluatie experttafel",
                         "due_date": "2020-02-15", "period_label": "15 feb 2020",
                         "project": "experttafel"},
                    ],
                    "budget_lines": [
                        {"label": "Transformatiefonds", "amount": "825000.00", "year": 2020,
                         "text": "€825.000",
                         "note": "incl. €300.000 uit het innovatiefonds beschermd wonen"},
                    ],
                },
                {
                    "slug": "jeugdigen-beschermen",
                    "number": 3,
                    "name": "Jeugdigen beschermen",
                    "aliases": ["JB"],
                    "roles": [
                        {"kind": "bestuurlijk opdrachtgever", "label": "Bestuurlijk",
                         "holder": "Corine Dijkstra en Jan Verbeek (BOSD)",
                         "person": "Corine Dijkstra"},
                        {"kind": "programmamanager", "label": "Programmamanager",
                         "holder": "Manon Brugman", "person": "Manon Brugman",
                         "hours_text": "12 uur", "hours": "12"},
                    ],
                    "milestones": [
                        {"key": "keten", "title": "Onderzoek afronden en verbetervoorstellen",
                         "due_date": "2020-12-31", "period_label": "in 2020"},
                        {"key": "instroom", "title": "Onderzoek hoge instroom afronden",
                         "due_date": "2020-01-31", "period_label": "K1"},
                    ],
                    "budget_lines": [
                        {"label": "Transformatiefonds", "amount": "239500.00", "year": 2020,
                         "text": "€ 239.500,- (+ € 55.000,- GHNT)"},
                        {"label": "JBT", "amount": "254605.00", "year": 2020,
                         "text": "€ 254.605"},
                        {"label": "JBJR", "amount": "5063585.00", "year": 2020,
                         "text": "€ 5.063.585",
                         "note": "2019-indexering 2020 nog niet meegenomen"},
                    ],
                },
            ],
            "bodies": [
                {
                    "slug": "bosd",
                    "name": "Bestuurlijk Overleg Sociaal Domein",
                    "abbreviation": "BOSD",
                    "meetings": [
                        {"uid": "bosd-2020-01-30", "number": 1, "date": "2020-01-30",
                         "agenda": [
                             {"position": 1, "title": "Programma's en projecten 2020"},
                             {"position": 2, "title": "Verkenning zorglandschap"},
                         ]},
                        {"uid": "bosd-2020-03-12", "number": 2, "date": "2020-03-12",
                         "start_time": "10:00:00", "location": "Gouda"},
                        {"uid": "bosd-2020-04-16", "number": 3, "date": "2020-04-16"},
                    ],
                }
            ],
        }
    ],
}


@dataclass
class Bot:
    """Asks the bot as someone, on a fixed day, against the test store."""

    session: Session
    today: date = TODAY
    now: datetime = NOW

    def ctx(self, user: str | None = ADMIN, *, lang: str = "nl", channel: str | None = "C0CHAN1",
            admins: frozenset[str] = frozenset({ADMIN})) -> Context:
        return Context(session=self.session, today=self.today, now=self.now, user_id=user,
                       lang=lang, admins=admins, channel_id=channel)

    def ask(self, text: str, user: str | None = ADMIN, **kw) -> Reply:
        """Ask as the Slack layer and the console do: they own the transaction."""
        reply = handle(text, self.ctx(user, **kw))
        self.session.commit()
        return reply

    def press(self, change: Callable[..., Reply], *args: object, user: str | None = ADMIN,
              **kw) -> Reply:
        """Make a change as a button does (bot.listeners.actions): through
        `answer_safely`, committed by the caller."""
        reply = answer_safely(lambda ctx: change(*args, ctx), self.ctx(user, **kw))
        self.session.commit()
        return reply

    def milestone(self, key: str) -> Milestone:
        return self.session.scalar(select(Milestone).where(Milestone.key == key))

    def person(self, name: str) -> Person:
        return self.session.scalar(select(Person).where(Person.name == name))


def load_region(session: Session, data: dict = REGION) -> None:
    apply_store_data(session, StoreData.model_validate(data), now=NOW,
                     report=ImportReport("test"))
    session.commit()



def text_of(reply: Reply) -> str:
    from commands.i18n import unescape
    from commands.render import to_text

    return unescape(to_text(reply))
