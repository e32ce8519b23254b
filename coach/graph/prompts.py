"""The coach's templated phrasing for the offline model. Constants only."""

GREETING = (
    "Hi, I'm Aviator, your college-planning coach. I'll ask a few quick questions about the "
    "student, then suggest real colleges that fit."
)

QUESTIONS: dict[str, str] = {
    "major": 'What would the student like to study? "Undecided" is a fine answer too.',
    "academics": "How is the student doing academically: GPA, and SAT or ACT scores if any?",
    "budget": "About how much can your family pay per year, after financial aid?",
    "location": "Which states or regions would the student consider, or is anywhere fine?",
    "home_state": "Which state do you live in? Public colleges there may charge less.",
    "income": "Roughly what is your household income per year? It changes the price you'd pay.",
    "size": "Would the student prefer a small, medium or large school, or doesn't it matter?",
    "setting": "City, suburb, town or rural campus, or no preference?",
}

ACKNOWLEDGEMENT = "Thanks, I've noted that."
