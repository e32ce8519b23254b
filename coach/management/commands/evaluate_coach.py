import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coach.evaluation import PersonaResult, PostResult, evaluate_personas, evaluate_posts

# What real posts as openers must reach (issue 13): the facts taken in from the post alone.
MIN_POST_RECALL = 0.9

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


def _post_notes(result: PostResult) -> str:
    wrong = [
        f"{slot}: expected {want!r}, got {got!r}" for slot, (want, got) in result.wrong.items()
    ]
    missed = [f"missed {slot} {want!r}" for slot, want in result.missed.items()]
    asked = [f"asked {topic} again" for topic in result.re_asked]
    return "; ".join([*wrong, *asked, *missed])


class Command(BaseCommand):
    help = "Run sample families through the real coach and score it (fails on any miss)."

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="+",
            help='JSON files: persona lists, or {"posts": [...]} sets of labelled posts',
        )

    def handle(self, *args, files: list[str], **options):
        personas, posts = [], []
        for path in files:
            try:
                loaded = json.loads(Path(path).read_text())
            except (OSError, json.JSONDecodeError) as error:
                raise CommandError(f"Cannot read {path}: {error}") from None
            if isinstance(loaded, dict) and isinstance(loaded.get("posts"), list):
                posts.extend(loaded["posts"])
            elif isinstance(loaded, list):
                personas.extend(loaded)
            else:
                raise CommandError(f"{path} is neither a list of personas nor a set of posts")
        failures = []
        if personas:
            failures += self._personas(personas)
        if posts:
            failures += self._posts(posts)
        if failures:
            raise CommandError("; ".join(failures))

    def _posts(self, posts: list[dict]) -> list[str]:
        results = evaluate_posts(posts)
        for result in results:
            if result.passed and not result.missed:
                continue
            self.stdout.write(f"{result.post_id:<10}{_post_notes(result)}")
        labelled = sum(r.labelled for r in results)
        taken_in = sum(r.taken_in for r in results)
        wrong = sum(len(r.wrong) for r in results)
        re_asked = sum(len(r.re_asked) for r in results)
        recall = taken_in / labelled if labelled else 1.0
        precision = taken_in / (taken_in + wrong) if taken_in + wrong else 1.0
        self.stdout.write(
            f"POSTS {len(results)}: facts taken in {taken_in}/{labelled} (recall {recall:.1%}), "
            f"precision {precision:.1%}, wrong facts {wrong}, re-asks {re_asked}"
        )
        failures = []
        if wrong or re_asked:
            failures.append(f"posts: {wrong} wrong fact(s), {re_asked} re-ask(s)")
        if recall < MIN_POST_RECALL:
            failures.append(f"posts: recall {recall:.1%} is under {MIN_POST_RECALL:.0%}")
        return failures

    def _personas(self, loaded: list[dict]) -> list[str]:
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
            return [f"{len(failed)} persona(s) failed: {names}"]
        return []
