"""Words families use for a field of study, mapped onto the majors of DESIGN.md §3. Data only."""

# Everyday phrases for a field of study, longest and most specific first where they overlap.
MAJOR_PHRASES: tuple[tuple[str, str], ...] = (
    (
        r"((mechanical|electrical|civil|manufacturing|electronics?|industrial|construction) )?"
        r"engineering tech(nology)?",
        "engineering_technology",
    ),
    (r"computer engineering|chem ?e\b|mech ?e\b|civ ?e\b|bme\b|eecs\b|ece\b", "engineering"),
    (r"b\.? ?arch\b|m\.arch\b", "architecture"),
    (r"\bbsn\b", "health"),
    (r"\bbsw\b", "public_administration"),
    (
        r"(mechanical|aerospace|civil|electrical|chemical|biomedical|industrial|agricultural|"
        r"environmental|software|nuclear|petroleum|materials|systems|biological) eng(ineering|r?\b)",
        "engineering",
    ),
    (r"cognitive science|cog ?sci", "interdisciplinary"),
    (r"engineer(ing|s)?", "engineering"),
    (
        r"computer science|comp ?sci|coding|programming|software|computers?|\bcs\b",
        "computer_science",
    ),
    (r"data science|cyber ?security|information technology", "computer_science"),
    (r"criminal justice|criminology|law enforcement|police|forensics?", "criminal_justice"),
    (
        r"political science|poli ?sci|economics|econ|sociology|anthropology|international relations|geography|social sciences?",
        "social_sciences",
    ),
    (r"paralegal|legal studies|pre-?law|lawyer|attorney", "legal"),
    (
        r"pre-?med(ical)?( track)?|pre-?vet|vet(erinarian|erinary)?s?\b|biology|biological sciences?|\bbio\b|neuroscience|biochem(istry)?|marine biology",
        "biology",
    ),
    (
        r"nurs(e|es|ing)|medicine|medical|doctor|physician|pharmac(y|ist|ists)|dental|dentist|(physical|occupational) therap(y|ist)|health( sciences?)?|public health|pre-?health",
        "health",
    ),
    (
        r"business|finance|accounting|accountant|marketing|management|entrepreneur(ship)?|\bmba\b|"
        r"hospitality",
        "business",
    ),
    (r"psych(ology)?", "psychology"),
    (
        r"graphic designers?|audio (engineering|production)|music production|sound design|fine arts?|studio art|(?<!liberal )\barts?\b|painting|drawing|design|music|theat(er|re)|film|dance|photography|animation|sculpture",
        "visual_performing_arts",
    ),
    (
        r"journalism|communications?|media studies|public relations|advertising|broadcasting",
        "communication",
    ),
    (r"english|literature|creative writing|writing", "english"),
    (r"history", "history"),
    (r"math(ematics|s)?|statistics?", "mathematics"),
    (
        r"physics|chemistry|astronomy|astrophysics|geology|geoscience|meteorolog(y|ist)|"
        r"atmospheric sciences?|physical sciences?",
        "physical_sciences",
    ),
    (
        r"(elementary|secondary|special|early childhood|music|physical) ed(ucation|\b)|education|"
        r"(?:(?:high|middle|elementary) school )?\w+ teach(?:er|ers|ing)|"
        r"teach(er|ers|ing)?\b",
        "education",
    ),
    (r"architecture", "architecture"),
    (
        r"agricultur(e|al)( science)?|farming|animal science|equine|agronomy|plant science|"
        r"horticulture|agribusiness",
        "agriculture",
    ),
    (
        r"environmental (science|studies)|forestry|conservation|natural resources|wildlife",
        "natural_resources",
    ),
    (r"philosophy|religio(n|us studies)|theology", "philosophy_religion"),
    (
        r"sports? management|exercise science|kinesiology|recreation|fitness",
        "parks_recreation_fitness",
    ),
    (r"social work(er|ers)?|public policy|public administration", "public_administration"),
    (r"languages?|spanish|french|german|chinese|japanese|linguistics", "languages"),
    # "small liberal arts colleges" names a kind of college, not a major.
    (r"liberal (arts|studies)(?! (?:colleges?|schools?))|general studies", "liberal_arts"),
    (r"interdisciplinary", "interdisciplinary"),
)
