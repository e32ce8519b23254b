import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coach.evaluation import PersonaResult, evaluate_personas

HEADER = (
    f"{'persona':<10}{'kind':<18}{'to rec':>7}{'redundant':>10}{'premature':>10}{'wrong':>7}"
    f"{'violations':>11}  notes"
)


def _notes(result: PersonaResult) -> str:
    if result.passed:
        return "ok"
    wrong = [
        f"{slot}: expected {want!r}, got {got!r}"
        for slot, (want, got) in result.wrong_facts.items()
    ]
    repeated = [f"asked {topic} again" for topic in result.redundant_asks]
    return "; ".join([*result.problems, *wrong, *repeated, *result.violations])


class Command(BaseCommand):
    help = "Run sample families through the real coach and score it (fails on any miss)."

    def add_arguments(self, parser):
        parser.add_argument("personas", nargs="+", help="JSON files in the personas format")

    def handle(self, *args, personas: list[str], **options):
        loaded = []
        for path in personas:
            try:
                loaded.extend(json.loads(Path(path).read_text()))
            except (OSError, json.JSONDecodeError) as error:
                raise CommandError(f"Cannot read personas from {path}: {error}") from None
        results = evaluate_personas(loaded)
        self.stdout.write(HEADER)
        for result in results:
            self.stdout.write(
                f"{result.persona_id:<10}{result.kind:<18}"
                f"{result.messages_to_recommendation or '-':>7}{len(result.redundant_asks):>10}"
                f"{int(result.premature):>10}{len(result.wrong_facts):>7}"
                f"{len(result.violations):>11}  {_notes(result)}"
            )
        failed = [result for result in results if not result.passed]
        self.stdout.write(
            f"TOTAL {len(results)} personas: {len(results) - len(failed)} passed, "
            f"{len(failed)} failed; redundant asks {sum(len(r.redundant_asks) for r in results)}, "
            f"premature {sum(r.premature for r in results)}, "
            f"wrong facts {sum(len(r.wrong_facts) for r in results)}, "
            f"violations {sum(len(r.violations) for r in results)}"
        )
        if failed:
            names = ", ".join(result.persona_id for result in failed)
            raise CommandError(f"{len(failed)} persona(s) failed: {names}")
