"""The distress protocol engine (``prosper_coop.wellbeing.distress``)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError as PydanticError

from prosper_coop.core.errors import InvalidInputError
from prosper_coop.wellbeing import distress


@pytest.fixture
def participant(empty_study) -> distress.DistressProtocol:
    return distress.load_protocol(empty_study, "distress-participant")


def test_shipped_protocols_are_sourced_and_dated(empty_study) -> None:
    assert distress.protocol_names(empty_study) == ["distress-participant", "distress-researcher"]
    for name in distress.protocol_names(empty_study):
        protocol = distress.load_protocol(empty_study, name)
        assert "Draucker" in protocol.source and protocol.checked_on.year == 2026
        stages = {step.stage for step in protocol.steps}
        assert stages == {"signs", "stage 1", "stage 2", "follow-up"}
        questions = [s.question for s in protocol.steps if s.stage == "stage 1" and s.question]
        assert any("thoughts" in q for q in questions)
        assert any("feeling" in q for q in questions)
        assert any("go on with your day" in q for q in questions)
        assert any("feel safe" in q for q in questions)


def test_yes_no_branch_keys_survive_yaml(participant) -> None:
    assert participant.step("signs").next == {"yes": "stop", "no": "no-signs"}


class Recorder:
    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.seen: list[str] = []

    def show(self, step: distress.Step) -> None:
        self.seen.append(step.id)

    def answer(self, step: distress.Step) -> str:
        return self.answers.get(step.id, "")


def test_walk_branches_on_answers(participant) -> None:
    path = distress.walk(participant, Recorder({"signs": "no"}))
    assert (path.outcome, path.record) == ("no-distress", False)
    answers = {"signs": "yes", "able": "yes", "safe": "no", "risk": "no",
               "consent-contact": "yes", "follow-up": "no"}  # fmt: skip
    path = distress.walk(participant, Recorder(answers))
    assert [s.step for s in path.steps] == [
        "signs", "stop", "thoughts", "feelings", "able", "safe", "risk", "stage2",
        "consent-contact", "follow-up", "end",
    ]  # fmt: skip
    assert path.record and path.support_shown and path.follow_up_call is False


def test_scripted_answers_need_every_yes_no_step(participant) -> None:
    scripted = distress.ScriptedAnswers(participant, {"signs": "yes"})
    with pytest.raises(InvalidInputError, match="step 'able' needs an answer"):
        distress.walk(participant, scripted)


def test_protocol_validation() -> None:
    base = {
        "id": "distress-x", "version": 1, "title": "X", "applies_to": "participant",
        "source": "s", "checked_on": "2026-11-26", "start": "a",
    }  # fmt: skip
    with pytest.raises(PydanticError, match="needs an outcome"):
        distress.DistressProtocol.model_validate({**base, "steps": [{"id": "a", "stage": "s"}]})
    with pytest.raises(PydanticError, match="both yes and no"):
        distress.DistressProtocol.model_validate(
            {
                **base,
                "steps": [
                    {
                        "id": "a",
                        "stage": "s",
                        "question": "q?",
                        "answer": "yes-no",
                        "next": {"yes": "a"},
                    }
                ],
            }
        )
    loop = {**base, "steps": [{"id": "a", "stage": "s", "next": "a"}]}
    protocol = distress.DistressProtocol.model_validate(loop)
    with pytest.raises(InvalidInputError, match="loop"):
        distress.walk(protocol, Recorder({}))
