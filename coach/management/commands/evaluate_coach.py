import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coach.evaluation import PersonaResult, PostResult, evaluate_personas, evaluate_posts

# What real posts as openers must reach (issue 13): the facts taken in from the post alone.
MIN_POST_RECALL = 0.9
# What lists for families who asked for nothing else must reach (issue 13, DESIGN.md §5).
MIN_BACHELORS_SHARE = 0.98
MIN_COMPLETION_SHARE = 0.90

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
            f"precision on labelled slots {precision:.1%}, wrong facts {wrong}, re-asks {re_asked}"
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
        failures = self._list_quality([r.list_quality for r in results if r.list_quality])
        if failed:
            names = ", ".join(result.persona_id for result in failed)
            failures.append(f"{len(failed)} persona(s) failed: {names}")
        return failures

    def _list_quality(self, lists: list[dict[str, int]]) -> list[str]:
        total = sum(quality["total"] for quality in lists)
        if not total:
            return []
        counts = {key: sum(quality[key] for quality in lists) for key in lists[0]}
        bachelors, completion = counts["bachelors"] / total, counts["completion_50"] / total
        self.stdout.write(
            f"LISTS {len(lists)} in the default scope, {total} colleges: predominantly "
            f"bachelor's {bachelors:.1%}, completion >= 50% {completion:.1%}, for-profit "
            f"{counts['for_profit']}, fit labels without admission data "
            f"{counts['fit_without_admission_data']}, not in the catalog {counts['not_in_catalog']}"
        )
        failures = []
        if bachelors < MIN_BACHELORS_SHARE or completion < MIN_COMPLETION_SHARE:
            failures.append("lists: bachelor's or completion share under target")
        if counts["for_profit"] or counts["fit_without_admission_data"] or counts["not_in_catalog"]:
            failures.append("lists: for-profit, unsupported fit labels or unknown colleges")
        return failures
