"""The words of "Prepare for an assessment" and its brief: the questions the family
answers, the default questions for the assessor, and the ASAM dimensions the brief
is grouped by. Data only.

Where the ideas come from (ideas only, our own sentences):
- the seed article on inpatient and outpatient fentanyl treatment: the six signs that
  often point to inpatient care, and the conditions under which outpatient care can
  work (the same six signs as content.INPATIENT_SIGNS);
- the ASAM Criteria's dimensions. The 4th edition (2023) renamed them and dropped
  "Readiness to Change" as a dimension; many programs still use the 3rd edition
  (2013). Checked against open-exam-prep.com's ICRC study guide ("ASAM Criteria, Six
  Dimensions", note on editions) and several clinical tools that print the 4th
  edition's names with the book's page numbers (Dimension 4: pp. 255-271, Dimension 5:
  pp. 272-278). The family's answers are never presented as an ASAM assessment.
"""
from .i18n import _l

ANSWERS = (("yes", _l("Yes")), ("no", _l("No")), ("not-sure", _l("Not sure")))

# Each question: its id (stored), the sentence, and the step-down checklist items ("checklist")
# that match it (linked beside it). The app's own facts come from assessment_facts.py.
INPATIENT_QUESTIONS = (
    {"id": "relapse", "text": _l("Did they go back to using after outpatient treatment?"), "checklist": ()},
    {"id": "withdrawal", "text": _l("Is their withdrawal severe, or does it last a long time?"), "checklist": ()},
    {"id": "daily_use", "text": _l("Do they use every day, or in ways no one can predict?"), "checklist": ()},
    {"id": "overdose", "text": _l("Have they overdosed, or come close?"), "checklist": ()},
    {"id": "cannot_stop", "text": _l("Do they keep using even after serious harm?"), "checklist": ()},
    {"id": "easy_access", "text": _l("Is fentanyl easy for them to get where they live?"), "checklist": ()},
)
OUTPATIENT_QUESTIONS = (
    {"id": "stable", "text": _l("Are they medically stable now, with withdrawal under control?"),
     "checklist": ("medically-stable",)},
    {"id": "medication", "text": _l("Do they take their medication as prescribed, day after day?"),
     "checklist": ("medication-plan",)},
    {"id": "safe_home", "text": _l("Is the place they live safe and free of drugs?"),
     "checklist": ("home-substance-free",)},
    {"id": "no_relapses", "text": _l("Have they stayed off drugs in outpatient care before, without going "
                                     "back to using again and again?"), "checklist": ()},
    {"id": "accountability", "text": _l("Are there people around them who keep them accountable outside "
                                        "treatment?"), "checklist": ("accountability", "coping-practiced")},
)
QUESTIONS = INPATIENT_QUESTIONS + OUTPATIENT_QUESTIONS
QUESTION_BY_ID = {q["id"]: q for q in QUESTIONS}

DEFAULT_ASSESSOR_QUESTIONS = (
    _l("Which level of care is safest now, and why?"),
    _l("How will their medication be handled there, and after?"),
    _l("What would need to be true for a step down to be safe?"),
    _l("What should we do if warning signs come back?"),
)
ASSESSOR_QUESTIONS_MAX = 10  # lines
ASSESSOR_QUESTION_MAX_CHARS = 200

# The brief's groups: the 4th edition's six dimensions, each in plain words, with the
# questions and facts (assessment_facts kinds) that belong there.
DIMENSIONS = (
    {"n": 1, "plain": _l("Withdrawal and treatment medication"),
     "asam": "Intoxication, Withdrawal, and Addiction Medications",
     "questions": ("withdrawal", "medication"),
     "facts": ("withdrawal_severe", "withdrawal_moderate", "missed_medication")},
    {"n": 2, "plain": _l("Physical health"), "asam": "Biomedical Conditions",
     "questions": ("stable",), "facts": ()},
    {"n": 3, "plain": _l("Mood, stress and thinking"), "asam": "Psychiatric and Cognitive Conditions",
     "questions": (), "facts": ("stress",)},
    {"n": 4, "plain": _l("Use and its risks"), "asam": "Substance Use-Related Risks",
     "questions": ("relapse", "daily_use", "overdose", "cannot_stop", "no_relapses"),
     "facts": ("use", "use_lower", "overdose", "naloxone", "cravings")},
    {"n": 5, "plain": _l("Home and the people around them"), "asam": "Recovery Environment Interactions",
     "questions": ("easy_access", "safe_home", "accountability"), "facts": ("access_easy", "access_possible")},
    {"n": 6, "plain": _l("What matters to them and to the family"), "asam": "Person-Centered Considerations",
     "questions": (), "facts": ()},
)
ASAM_3RD_EDITION = ("Acute Intoxication and/or Withdrawal Potential; Biomedical Conditions and Complications; "
                    "Emotional, Behavioral, or Cognitive Conditions and Complications; Readiness to Change; "
                    "Relapse, Continued Use, or Continued Problem Potential; Recovery/Living Environment")
