"""Who a source holds responsible, in the agreement's parties.

A report names its actors in the source's words (UCDP ``side_a``/``side_b``,
ACLED ``actor1`` …); each agreement maps its parties to those names and ids
(``parties[].actors``). A verdict names the bound party when the source
attributes the act — the report's own ``attribution``, or an actor with role
``perpetrator`` — and otherwise the dyad the source says was engaged, with
"perpetrator not established".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ceasefire.compliance.facts import ActorKey
from ceasefire.model.agreement import AgreementDocument

DYAD_ROLES = ("side_a", "side_b")


@dataclass(frozen=True)
class Attributed:
    """An incident's attribution as far as its sources establish it."""

    party: str | None
    """The party held responsible (an agreement party id), if established."""
    perpetrator: str | None
    """How the sentence names who did it: the source's actor name or the party."""
    dyad: tuple[str, ...] = ()
    """When no perpetrator is established: the parties engaged (party ids, or
    ``scheme:name`` for an actor no party maps to)."""
    dyad_names: tuple[str, ...] = ()
    """The same, as the source names them (for sentences)."""

    @property
    def established(self) -> bool:
        """Whether a perpetrator is established."""
        return self.perpetrator is not None


class ActorMap:
    """Source actor (scheme + code or name) → agreement party."""

    def __init__(self, document: AgreementDocument) -> None:
        self.by_code: dict[tuple[str, str], str] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        for party in document.parties:
            for ref in party.actors:
                scheme = ref.scheme.lower()
                if ref.code is not None:
                    self.by_code[(scheme, ref.code)] = party.id
                if ref.name is not None:
                    self.by_name[(scheme, ref.name.casefold())] = party.id

    def party_of(self, actor: ActorKey) -> str | None:
        """The party an actor is, if the agreement maps it (the code decides first)."""
        scheme, name, code, _ = actor
        scheme = scheme.lower()
        if code is not None and (scheme, code) in self.by_code:
            return self.by_code[(scheme, code)]
        return self.by_name.get((scheme, name.casefold()))

    def attribute(
        self, reported_party: str | None, actors: Sequence[ActorKey]
    ) -> Attributed:
        """The report's own attribution, else a mapped perpetrator, else the dyad."""
        if reported_party is not None:
            return Attributed(reported_party, reported_party)
        for actor in actors:
            if actor[3] == "perpetrator":
                party = self.party_of(actor)
                return Attributed(party, actor[1] if party is None else party)
        sides = [a for a in actors if a[3] in DYAD_ROLES]
        return Attributed(
            None,
            None,
            tuple(self.party_of(a) or f"{a[0]}:{a[1]}" for a in sides),
            tuple(a[1] for a in sides),
        )
