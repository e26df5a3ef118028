"""Plain-language content for caregivers: words, levels of care, checklists, emergency.

Pure data, no Flask and no logic beyond small lookups. Every sentence here is our
own; we aim for a reading age of about 12 and short sentences.

Where the ideas come from (ideas only, never their sentences):
- the two seed articles in the design folder: how inpatient and outpatient care
  differ, who tends to need more structure, why outpatient care fails, what makes
  a step down safer, and the kinds of programs (PHP, IOP, residential, sober living,
  counseling, support groups, medication);
- the American Heart Association's guidance on opioid-associated emergencies for
  lay rescuers (2025 Guidelines for CPR and ECC; the steps match the 2020
  lay-rescuer algorithm and the 2015 text: CPR when not breathing normally,
  naloxone as soon as it is at hand without delaying the call or CPR);
- SAMHSA's Overdose Prevention and Response Toolkit (2025 update, PEP23-03-00-001):
  overdose signs, what to say to 911, naloxone, recovery position, staying;
- the FDA: naloxone nasal spray without a prescription (2023), the Narcan shelf-life
  extension (2024), and the Narcan label's dosing and storage;
- harm-reduction and health-department guidance on xylazine (the goal of naloxone
  is breathing, not waking up) and on naloxone wearing off in 30 to 90 minutes;
- ASAM (American Society of Addiction Medicine): the levels of care and its
  patient guide on opioid use disorder (2025); the 4th edition calls day treatment
  "high-intensity outpatient";
- SAMHSA on the MAT Act (buprenorphine without a waiver since 2023);
- the COWS and SOWS opioid withdrawal scales: the observable withdrawal signs.

The facts were checked against stored copies of these sources, not the live web:
call every phone number and check hours and wording on the live sites before
each release.

Clinical humility: this text helps a family notice and write down. It never
diagnoses and never decides a level of care; the care team does.
"""

from .emergency import EMERGENCY  # noqa: F401  (the emergency page's words; templates read content.EMERGENCY)
from .vocabulary import _l, CHECKLIST_ITEMS, LEVEL_NAMES

DISCLAIMER = (
    _l("This app helps you notice what you see and write it down. "
       "It does not diagnose anyone or decide on care: the care team does.")
)

# ---------------------------------------------------------------------------
# Levels of care, most structure first
# ---------------------------------------------------------------------------

LEVELS = [
    {
        "id": "inpatient",
        "name": LEVEL_NAMES["inpatient"],
        "short": _l("24/7 medical stay"),
        "what": (
            _l("A stay in a treatment center with nurses day and night and doctors on hand. "
               "Drugs are much harder to get there, and each day has a clear routine. A medical "
               "detox (withdrawal) stay is shorter, often a few days to two weeks.")
        ),
        "how_often": _l("Around the clock, usually for 30 to 90 days"),
        "fits": (
            _l("The care team may suggest it for someone who went back to using after "
               "outpatient treatment, or whose withdrawal is severe or lasts a long time. "
               "It also fits daily or unpredictable use, an overdose or a close call, and use "
               "that goes on despite serious harm. Living where fentanyl is easy to get is "
               "another reason to think about it.")
        ),
        "medication": (
            _l("Staff give each dose and watch how it works. The doctor can adjust it every day "
               "until the person is stable.")
        ),
        "twenty_four_seven": True,
    },
    {
        "id": "residential",
        "name": LEVEL_NAMES["residential"],
        "short": _l("Longer live-in stay"),
        "what": (
            _l("A longer live-in program away from everyday triggers, "
               "with therapy, groups and a steady daily routine.")
        ),
        "how_often": _l("Around the clock, from a few months up to a year"),
        "fits": (
            _l("Often fits someone who has gone back to using several times, or who needs "
               "more time in a drug-free place to rebuild daily life.")
        ),
        "medication": (
            _l("Staff usually keep the medicine and give each dose. A doctor checks in and "
               "can change the dose when needed. Before they go, ask whether the program "
               "continues buprenorphine or methadone: some still do not, and stopping it for a "
               "stay raises the risk of overdose afterwards.")
        ),
        "twenty_four_seven": True,
    },
    {
        "id": "php",
        "name": LEVEL_NAMES["php"],
        "short": _l("Day treatment"),
        "what": (
            _l("Treatment for most of the day, much like an inpatient program, "
               "and then home to sleep. Newer ASAM guidance calls it high-intensity outpatient.")
        ),
        "how_often": _l("5 to 7 days a week, several hours a day; home at night"),
        "fits": (
            _l("Often a next step after inpatient or residential care, or a step up when "
               "regular outpatient is not enough. It needs a safe home to go back to each night.")
        ),
        "medication": (
            _l("Some doses may be given at the program, and the rest are taken at home. "
               "The team sees the person most days, so a dose can be changed quickly.")
        ),
        "twenty_four_seven": False,
    },
    {
        "id": "iop",
        "name": LEVEL_NAMES["iop"],
        "short": _l("Several sessions weekly"),
        "what": (
            _l("Group and one-on-one sessions on three or more days a week, "
               "with time left for work, school or family.")
        ),
        "how_often": _l("About 3 hours a day, 3 or more days a week; home at night"),
        "fits": (
            _l("Can fit someone whose withdrawal is under control and who has a safe home, "
               "but who still needs more than a weekly visit.")
        ),
        "medication": (
            _l("Buprenorphine and naltrexone are usually taken at home, and the prescriber "
               "changes the dose at appointments, less often than in a 24/7 program. Methadone is "
               "taken at the clinic, watched by staff at first.")
        ),
        "twenty_four_seven": False,
    },
    {
        "id": "outpatient",
        "name": LEVEL_NAMES["outpatient"],
        "short": _l("Regular appointments"),
        "what": (
            _l("Regular visits for therapy and medication, "
               "while the person lives at home and keeps their usual day.")
        ),
        "how_often": _l("A few hours a week"),
        "fits": (
            _l("Many people start treatment medication as outpatients, often within days. It tends "
               "to hold best when withdrawal is controlled, medication is taken steadily, home is "
               "free of drugs, and people around them help.")
        ),
        "medication": (
            _l("Buprenorphine and naltrexone are usually taken at home, and the prescriber "
               "changes the dose at appointments, which may be weeks apart. Methadone is taken at "
               "the clinic, with take-home doses added as things go well.")
        ),
        "twenty_four_seven": False,
    },
    {
        "id": "recovery-support",
        "name": LEVEL_NAMES["recovery-support"],
        "short": _l("Ongoing support"),
        "what": (
            _l("Medication, support groups, or both, "
               "without a treatment program around them.")
        ),
        "how_often": _l("As often as the person and the care team plan, often weekly"),
        "fits": (
            _l("Can fit a longer, steady stretch of recovery, "
               "when the care team agrees a program is no longer needed.")
        ),
        "medication": (
            _l("Buprenorphine and naltrexone are usually taken at home, and the prescriber checks "
               "them at visits, often once a month or less. Methadone still comes from the clinic, "
               "often with take-home doses by then.")
        ),
        "twenty_four_seven": False,
    },
]

LEVEL_BY_ID = {level["id"]: level for level in LEVELS}

# The six signs that often point to inpatient care (from the seed article on inpatient
# and outpatient care; each also named in the inpatient level's "fits").
INPATIENT_SIGNS = [
    _l("They went back to using after outpatient treatment."),
    _l("Their withdrawal is severe, or it lasts a long time."),
    _l("They use every day, or in ways no one can predict."),
    _l("They have overdosed, or come close."),
    _l("They cannot stop, even after serious harm."),
    _l("Fentanyl is easy for them to get where they live."),
]
INPATIENT_SIGNS_LEAD = (
    _l("These signs often point to inpatient care. They are not a test: "
       "bring what you see to the care team, and let them decide.")
)
# What a clinician most wants to hear about at once, whatever the level (from a
# clinical review: dangerous withdrawal from other drugs, illness, pregnancy, suicide).
TELL_AT_ONCE = [
    _l("They also drink heavily or take benzodiazepines (like Xanax or Valium). Stopping those suddenly can be dangerous."),
    _l("They have a serious illness, a wound that looks infected, or they are pregnant."),
    _l("They talk about suicide, or seem unsafe to themselves or others. Call or text 988 too."),
]
TELL_AT_ONCE_LEAD = _l("Also tell the care team at once if any of these is true:")

# Top of the continuum page: nobody has to pick a level alone.
ASSESSMENT = {
    "title": _l("When you're unsure, start with an assessment"),
    "text": (
        _l("A clinical assessment decides which level of care is safest right now. "
           "You do not have to work it out alone. Ask the care team for one. "
           "If there is no care team yet, call the SAMHSA National Helpline. "
           "It is free, confidential, and open day and night, and it can point you to "
           "treatment near you. You can also search FindTreatment.gov for licensed "
           "programs near you.")
    ),
    "helpline": {"label": _l("SAMHSA National Helpline"), "number": "1-800-662-4357", "tel": "18006624357"},
    "find_treatment": {"label": "FindTreatment.gov", "url": "https://findtreatment.gov"},
}

# Under the levels: who handles the medicine, in a few words per level (each level's
# "medication" says more).
MEDICATION_BY_LEVEL_LEAD = (
    _l("In a 24/7 program, staff give the medicine and can change the dose often, even every day. "
       "Outside 24/7 care, buprenorphine and naltrexone are usually taken at home, and the "
       "prescriber changes the dose at appointments. Methadone is taken at the clinic, watched "
       "by staff at first. Injections are given at the clinic. You can help by keeping the "
       "medicine safe and noticing changes. Leave any change in dose to the prescriber.")
)

# Things that go along with a level of care. They are not levels themselves.
ALONGSIDE = [
    {
        "id": "support-groups",
        "name": _l("Support groups"),
        "text": (
            _l("Groups where people in recovery share what is hard and what helps. "
               "Some are led by peers, some by a therapist, and some follow 12 steps. "
               "There are groups for families too.")
        ),
    },
    {
        "id": "counseling",
        "name": _l("Counseling and therapy"),
        "text": (
            _l("One-on-one, group or family sessions, such as cognitive behavioral therapy (CBT). "
               "They help the person understand their triggers and practice ways to handle "
               "cravings and stress.")
        ),
    },
    {
        "id": "medication",
        "name": _l("Medication for opioid use disorder"),
        "text": (
            _l("Buprenorphine and methadone ease withdrawal and cravings and lower the risk of "
               "dying from an overdose. Naltrexone blocks the effect of opioids. As a monthly shot, "
               "it can start only after about 7 to 14 days without any opioids. These medicines "
               "can go with any level of care. Taking them as prescribed is treatment, not trading "
               "one drug for another. Stopping buprenorphine or methadone, even after a long time, "
               "lowers tolerance; after naltrexone wears off there is no tolerance at all. Either "
               "way the risk of overdose goes up, so plan any change with the prescriber. "
               "Since the end of 2022, no special waiver is needed to prescribe buprenorphine. Any prescriber "
               "whose DEA registration covers Schedule III medicines can prescribe it, where state "
               "law allows. Methadone for opioid use "
               "disorder comes only from a certified opioid treatment program, often called a "
               "methadone clinic.")
        ),
    },
    {
        "id": "sober-living",
        "name": _l("Sober living"),
        "text": (
            _l("A shared home without drugs or alcohol for people in recovery. Many move in after "
               "24/7 care and keep working, studying or going to outpatient treatment from there. "
               "It is a place to live, not treatment by itself. Some homes do not allow treatment "
               "medication: ask before moving in.")
        ),
    },
]

# ---------------------------------------------------------------------------
# Checklists (ids are stable; order as in the spec)
# ---------------------------------------------------------------------------

# The sentences of each checklist item, by id (the ids and their order are in
# vocabulary.CHECKLIST_CATALOG).
CHECKLIST_TEXT = {
    "coping-practiced": {
        "text": _l("They have used their coping skills when things got hard, not just learned them."),
        "why": _l("Skills tried under pressure are more likely to hold up at home."),
    },
    "stress-handled": {
        "text": _l("They have gotten through a stressful time without using."),
        "why": _l("Stress is one of the most common reasons people go back to using."),
    },
    "home-substance-free": {
        "text": _l("Home is free of fentanyl, street drugs and leftover pills. Prescribed treatment medicine stays, locked up."),
        "why": _l("Easy access in a hard moment is a common way things go wrong."),
    },
    "medication-plan": {
        "text": _l("Prescriber, pharmacy and the next dose after the move are all set."),
        "why": _l("A gap in medication can bring back withdrawal and cravings within a day or two, and raise the risk of overdose."),
    },
    "next-appointment": {
        "text": _l("The first appointment at the next level of care is booked."),
        "why": _l("The days between programs are when people most often lose touch with care."),
    },
    "accountability": {
        "text": _l("People outside treatment and a plan to stay in regular touch are in place."),
        "why": _l("With fewer hours of treatment, the people around them matter more."),
    },
    "warning-plan": {
        "text": _l("Everyone, the person in care included, agrees who to call and when to step back up to more care."),
        "why": _l("Deciding ahead makes it easier to act fast. Stepping up is a plan, not a failure."),
    },
    "medically-stable": {
        "text": _l("The care team has said they are medically stable."),
        "why": _l("Only the care team can judge this, so ask them directly."),
    },
    "naloxone-home": {
        "text": (_l("At least two doses of naloxone are at home, before their expiry date and kept "
                    "at room temperature, and everyone knows where they are.")),
        "why": _l("In an overdose there is no time to search, and a frozen or overheated spray may not work."),
    },
    "naloxone-trained": {
        "text": _l("Everyone at home knows the signs of an overdose, how to give naloxone, and how to do hands-only CPR."),
        "why": _l("The first person to find them may be the one who has to act."),
    },
    "meds-locked": {
        "text": _l("Medicines at home, especially opioids and sleeping pills, are locked up."),
        "why": _l("It lowers the risk of misuse, mix-ups and accidental overdose for everyone."),
    },
    "crisis-numbers": {
        "text": _l("Crisis and care team numbers are saved in every caregiver's phone."),
        "why": _l("In a crisis, nobody should have to look a number up."),
    },
    "transport": {
        "text": _l("Rides to appointments are arranged."),
        "why": _l("A missed ride can mean a missed dose or a missed session."),
    },
}

CHECKLIST_INTROS = {
    "step-down": {
        "title": _l("Before a step down"),
        "intro": (
            _l("Things that tend to make a move to less structure safer. "
               "Tick what is true now, and talk it through with the care team. "
               "They make the call.")
        ),
    },
    "home-safety": {
        "title": _l("Home safety"),
        "intro": (
            _l("Simple steps that make home safer "
               "and make an emergency easier to handle.")
        ),
    },
}

CHECKLISTS = {
    key: {**CHECKLIST_INTROS[key],
          "items": [{"id": i, **CHECKLIST_TEXT[i]} for i in CHECKLIST_ITEMS[key]]}
    for key in CHECKLIST_ITEMS
}

# ---------------------------------------------------------------------------
# Step-down readiness: criteria and overall words (never "ready")
# ---------------------------------------------------------------------------

CRITERION_LABELS = {
    "withdrawal-controlled": _l("Withdrawal under control"),
    "cravings-manageable": _l("Cravings manageable"),
    "medication-stable": _l("Medication taken steadily"),
    "no-recent-use": _l("No signs of use lately"),
    "safe-environment": _l("Safe, drug-free home"),
    "stress-tolerated": _l("Handles stress without using"),
    "coping-practiced": _l("Coping skills practiced"),
    "medically-stable": _l("Medically stable, says the care team"),
    "accountability": _l("People to lean on, and a plan to stay in touch"),
    "transition-planned": _l("Next steps planned"),
    "no-warning-prompts": _l("No current warning signs"),
}

