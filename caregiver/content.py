"""Plain-language content for caregivers: words, levels of care, checklists, emergency.

Pure data, no Flask and no logic beyond small lookups. Every sentence here is our
own; we aim for a reading age of about 12 and short sentences.

Where the ideas come from (ideas only, never their sentences):
- the two seed articles in the design folder: how inpatient and outpatient care
  differ, who tends to need more structure, why outpatient care fails, what makes
  a step down safer, and the kinds of programs (PHP, IOP, residential, sober living,
  counseling, support groups, medication);
- SAMHSA's Overdose Prevention and Response Toolkit: overdose signs, naloxone,
  rescue breathing, recovery position, staying until help arrives;
- ASAM (American Society of Addiction Medicine): the levels of care and its
  patient guide on opioid use disorder; the 4th edition calls day treatment
  "high-intensity outpatient";
- the COWS and SOWS opioid withdrawal scales: the observable withdrawal signs.

Clinical humility: this text helps a family notice and write down. It never
diagnoses and never decides a level of care; the care team does.
"""

from .vocabulary import CHECKLIST_ITEMS, LEVEL_NAMES

DISCLAIMER = (
    "This app helps you notice what you see and write it down. "
    "It does not diagnose anyone or decide on care: the care team does."
)

# ---------------------------------------------------------------------------
# Levels of care, most structure first
# ---------------------------------------------------------------------------

LEVELS = [
    {
        "id": "inpatient",
        "name": LEVEL_NAMES["inpatient"],
        "short": "24/7 medical stay",
        "what": (
            "A stay in a treatment center with nurses day and night and doctors on hand. "
            "They can watch symptoms and adjust medication every day. A detox (withdrawal) "
            "stay is shorter, often a few days to a week."
        ),
        "how_often": "Around the clock, usually for 30 to 90 days",
        "fits": (
            "The care team may suggest it after an overdose or a close call, with severe "
            "withdrawal, or when use keeps happening outside a program."
        ),
        "twenty_four_seven": True,
    },
    {
        "id": "residential",
        "name": LEVEL_NAMES["residential"],
        "short": "Longer live-in stay",
        "what": (
            "A longer live-in program away from everyday triggers, "
            "with therapy, groups and a steady daily routine."
        ),
        "how_often": "Around the clock, from a few months up to a year",
        "fits": (
            "Often fits someone who has gone back to using several times, or who needs "
            "more time in a drug-free place to rebuild daily life."
        ),
        "twenty_four_seven": True,
    },
    {
        "id": "php",
        "name": LEVEL_NAMES["php"],
        "short": "Day treatment",
        "what": (
            "Treatment for most of the day, much like an inpatient program, "
            "and then home to sleep. Newer ASAM guidance calls it high-intensity outpatient."
        ),
        "how_often": "5 to 7 days a week, several hours a day; home at night",
        "fits": (
            "Often a next step after inpatient or residential care, or a step up when "
            "regular outpatient is not enough. It needs a safe home to go back to each night."
        ),
        "twenty_four_seven": False,
    },
    {
        "id": "iop",
        "name": LEVEL_NAMES["iop"],
        "short": "Several sessions weekly",
        "what": (
            "Group and one-on-one sessions on three or more days a week, "
            "with time left for work, school or family."
        ),
        "how_often": "About 3 hours a day, 3 or more days a week; home at night",
        "fits": (
            "Can fit someone whose withdrawal is under control and who has a safe home, "
            "but who still needs more than a weekly visit."
        ),
        "twenty_four_seven": False,
    },
    {
        "id": "outpatient",
        "name": LEVEL_NAMES["outpatient"],
        "short": "Regular appointments",
        "what": (
            "Regular visits for therapy and medication, "
            "while the person lives at home and keeps their usual day."
        ),
        "how_often": "A few hours a week",
        "fits": (
            "Many people start treatment medication as outpatients, often within days. It tends "
            "to hold best when withdrawal is controlled, medication is taken steadily, home is "
            "free of drugs, and people around them help."
        ),
        "twenty_four_seven": False,
    },
    {
        "id": "recovery-support",
        "name": LEVEL_NAMES["recovery-support"],
        "short": "Ongoing support",
        "what": (
            "Medication, support groups, or both, "
            "without a treatment program around them."
        ),
        "how_often": "As often as the person and the care team plan, often weekly",
        "fits": (
            "Can fit a longer, steady stretch of recovery, "
            "when the care team agrees a program is no longer needed."
        ),
        "twenty_four_seven": False,
    },
]

LEVEL_BY_ID = {level["id"]: level for level in LEVELS}

# Things that go along with a level of care. They are not levels themselves.
ALONGSIDE = [
    {
        "id": "support-groups",
        "name": "Support groups",
        "text": (
            "Groups where people in recovery share what is hard and what helps. "
            "Some are led by peers, some by a therapist, and some follow 12 steps. "
            "There are groups for families too."
        ),
    },
    {
        "id": "counseling",
        "name": "Counseling and therapy",
        "text": (
            "One-on-one, group or family sessions, such as cognitive behavioral therapy (CBT). "
            "They help the person understand their triggers and practice ways to handle "
            "cravings and stress."
        ),
    },
    {
        "id": "medication",
        "name": "Medication for opioid use disorder",
        "text": (
            "Buprenorphine and methadone ease withdrawal and cravings and lower the risk of "
            "dying from an overdose. Naltrexone blocks the effect of opioids; it is started only "
            "after some days without any opioids. These medicines can go with any level of care. "
            "Taking them as prescribed is treatment, not trading one drug for another. "
            "Stopping them, even after a long time, lowers tolerance and raises the risk of "
            "overdose: plan any change with the prescriber. Methadone comes from a special "
            "clinic; many doctors can prescribe buprenorphine."
        ),
    },
    {
        "id": "sober-living",
        "name": "Sober living",
        "text": (
            "A shared home without drugs or alcohol for people in recovery. Many move in after "
            "24/7 care and keep working, studying or going to outpatient treatment from there. "
            "It is a place to live, not treatment by itself. Some homes do not allow treatment "
            "medication: ask before moving in."
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
        "text": "They have used their coping skills when things got hard, not just learned them.",
        "why": "Skills tried under pressure are more likely to hold up at home.",
    },
    "stress-handled": {
        "text": "They have gotten through a stressful time without using.",
        "why": "Stress is one of the most common reasons people go back to using.",
    },
    "home-substance-free": {
        "text": "Home is free of fentanyl, street drugs and leftover pills. Prescribed treatment medicine stays, locked up.",
        "why": "Easy access in a hard moment is a common way things go wrong.",
    },
    "medication-plan": {
        "text": "Prescriber, pharmacy and the next dose after the move are all set.",
        "why": "A gap in medication can bring back withdrawal and cravings within a day or two, and raise the risk of overdose.",
    },
    "next-appointment": {
        "text": "The first appointment at the next level of care is booked.",
        "why": "The days between programs are when people most often lose touch with care.",
    },
    "accountability": {
        "text": "People outside treatment and a plan to stay in regular touch are in place.",
        "why": "With fewer hours of treatment, the people around them matter more.",
    },
    "warning-plan": {
        "text": "Everyone, the person in care included, agrees who to call and when to step back up to more care.",
        "why": "Deciding ahead makes it easier to act fast. Stepping up is a plan, not a failure.",
    },
    "medically-stable": {
        "text": "The care team has said they are medically stable.",
        "why": "Only the care team can judge this, so ask them directly.",
    },
    "naloxone-home": {
        "text": "At least two doses of naloxone are at home, and everyone knows where.",
        "why": "In an overdose there is no time to search.",
    },
    "naloxone-trained": {
        "text": "Everyone at home knows the signs of an overdose and how to give naloxone.",
        "why": "The first person to find them may be the one who has to act.",
    },
    "meds-locked": {
        "text": "Medicines at home, especially opioids and sleeping pills, are locked up.",
        "why": "It lowers the risk of misuse, mix-ups and accidental overdose for everyone.",
    },
    "crisis-numbers": {
        "text": "Crisis and care team numbers are saved in every caregiver's phone.",
        "why": "In a crisis, nobody should have to look a number up.",
    },
    "transport": {
        "text": "Rides to appointments are arranged.",
        "why": "A missed ride can mean a missed dose or a missed session.",
    },
}

CHECKLIST_INTROS = {
    "step-down": {
        "title": "Before a step down",
        "intro": (
            "Things that tend to make a move to less structure safer. "
            "Tick what is true now, and talk it through with the care team. "
            "They make the call."
        ),
    },
    "home-safety": {
        "title": "Home safety",
        "intro": (
            "Simple steps that make home safer "
            "and make an emergency easier to handle."
        ),
    },
}

CHECKLISTS = {
    key: {**CHECKLIST_INTROS[key],
          "items": [{"id": i, **CHECKLIST_TEXT[i]} for i in CHECKLIST_ITEMS[key]]}
    for key in CHECKLIST_ITEMS
}

# ---------------------------------------------------------------------------
# Emergency (shown offline, one tap from every page)
# ---------------------------------------------------------------------------

EMERGENCY = {
    "signs": [
        "Won't wake up or respond, even when you shout their name "
        "or rub your knuckles hard on their breastbone",
        "Slow, uneven or stopped breathing",
        "Gurgling or snoring sounds",
        "Very small, pinpoint pupils",
        "Blue, purple or gray lips and fingertips (ashen on darker skin)",
        "Cold, clammy skin",
        "Limp body",
    ],
    # Above the list: nobody should wait to see every sign.
    "signs_lead": "You don't need to see all of these. If they won't wake up or their breathing is slow, act now.",
    # Fear of the police is a common reason people wait to call.
    "good_samaritan": ("Most US states have Good Samaritan laws that protect people who call 911 "
                       "for an overdose."),
    "steps": [
        {
            "title": "Call the emergency number",
            "detail": (
                "911 in the US, or the number your circle saved. Say they won't wake up "
                "or aren't breathing well, and give the address. Put the phone on speaker."
            ),
        },
        {
            "title": "Give naloxone",
            "detail": (
                "Lay them on their back and spray one whole device into one nostril. No change "
                "in 2 to 3 minutes? Use a new device in the other nostril, and keep going every "
                "2 to 3 minutes until they wake or help arrives. Naloxone does no harm if it "
                "is not an opioid overdose."
            ),
        },
        {
            "title": "Help them breathe",
            "detail": (
                "Not breathing, or only gasping? Tilt the head back, lift the chin, pinch the "
                "nose and give 1 breath every 5 seconds. If you know CPR, start it. The "
                "emergency operator can talk you through it."
            ),
        },
        {
            "title": "If they are breathing, roll them on their side",
            "detail": (
                "The recovery position: on their side, top knee bent, head tilted back a little. "
                "It keeps the airway clear if they vomit."
            ),
        },
        {
            "title": "Stay until help arrives",
            "detail": (
                "Naloxone can wear off before fentanyl does, so they can stop breathing again: "
                "give another dose if they get sleepy again or their breathing slows. Even if "
                "they wake up, they need to be seen by emergency staff. They may wake up sick "
                "and upset: that is withdrawal from the naloxone, and it passes. Don't let them "
                "use again to feel better."
            ),
        },
    ],
    "donts": [
        "Don't slap or hit them.",
        "Don't put them in a cold shower or bath.",
        "Don't try to make them vomit.",
        "Don't give them other drugs, drinks or anything else to take.",
        "Don't leave them alone, or let them \"sleep it off\". If you must step away, "
        "roll them on their side first.",
    ],
    "sources": [
        {
            "name": "Overdose Prevention and Response Toolkit",
            "publisher": "SAMHSA (Substance Abuse and Mental Health Services Administration)",
        },
        {
            "name": "Patient guide on opioid use disorder",
            "publisher": "ASAM (American Society of Addiction Medicine)",
        },
    ],
    "numbers": [
        {
            "label": "Emergency",
            "number": "911",
            "tel": "911",
            "note": "Overdose, not breathing, or won't wake up.",
        },
        {
            "label": "988 Suicide & Crisis Lifeline",
            "number": "988",
            "tel": "988",
            "sms": "988",
            "note": "Call or text, any time, for a mental health or substance use crisis.",
        },
        {
            "label": "SAMHSA National Helpline",
            "number": "1-800-662-4357",
            "tel": "18006624357",
            "note": "Free, day or night, every day. Helps you find treatment near you.",
        },
        {
            "label": "Poison Help",
            "number": "1-800-222-1222",
            "tel": "18002221222",
            "note": "Questions about a medicine, a mix-up or a possible poisoning.",
        },
        {
            "label": "Never Use Alone",
            "number": "1-800-484-3731",
            "tel": "18004843731",
            "note": (
                "If the person in care is going to use alone, they can call. Someone stays on "
                "the line and sends help if they stop answering."
            ),
        },
    ],
}

# ---------------------------------------------------------------------------
# Step-down readiness: criteria and overall words (never "ready")
# ---------------------------------------------------------------------------

CRITERION_LABELS = {
    "withdrawal-controlled": "Withdrawal under control",
    "cravings-manageable": "Cravings manageable",
    "medication-stable": "Medication taken steadily",
    "no-recent-use": "No signs of use lately",
    "safe-environment": "Safe, drug-free home",
    "stress-tolerated": "Handles stress without using",
    "coping-practiced": "Coping skills practiced",
    "medically-stable": "Medically stable, says the care team",
    "accountability": "People to lean on, and a plan to stay in touch",
    "transition-planned": "Next steps planned",
    "no-warning-prompts": "No current warning signs",
}

